// The events people are told about, each recorded where it happens (in that transaction) by a
// one-line call from the service concerned. Texts are plain and carry no secret: amounts, networks,
// ids and the dashboard page, never a key, a webhook secret or seed material.
import { type Actor, describeActor } from "../access/actor";
import type { AuditEntryParams } from "../audit/record-audit-entry";
import type { Db, Tx } from "../db/client";
import type { TPayoutObject } from "../payouts/payout-object";
import { dayBucket, hourBucket, recordNotification } from "./record-notification";

type Sql = Tx | Db;

/** A payout created above the auto-approval threshold waits for the owner. */
export async function notifyPayoutAwaitingApproval(tx: Sql, merchantId: string, payout: TPayoutObject) {
  await recordNotification(tx, {
    kind: "payout_awaiting_approval",
    merchantId,
    title: `Payout of ${payout.amount} ${payout.token.symbol} on ${payout.chain} awaits approval`,
    body:
      `A payout of ${payout.amount} ${payout.token.symbol} on ${payout.chain} to ${payout.address} was ` +
      `requested (${payout.id}) and waits for the owner's approval before it is sent.`,
    link: `/dashboard/payouts/${payout.id}`,
  });
}

/** A sweep cannot go on until someone acts: one notification per merchant, chain and hour. */
export async function notifySweepsPaused(
  tx: Sql,
  sweep: { merchantId: string; chain: string; paymentId: string },
  reason: string,
  cause: string,
  now = new Date(),
) {
  const body =
    `Sweeps of received payments on ${sweep.chain} are paused (${reason.replaceAll("_", " ")}), e.g. ` +
    `the sweep of payment ${sweep.paymentId}. They resume by themselves once the cause is fixed.\n\n${cause}`;
  await recordNotification(tx, {
    kind: "sweeps_paused",
    merchantId: sweep.merchantId,
    title: `Sweeps paused on ${sweep.chain}`,
    body,
    link: `/dashboard/payments/${sweep.paymentId}`,
    dedupeKey: `sweeps_paused:${sweep.merchantId}:${sweep.chain}:${hourBucket(now)}`,
    now,
  });
  // The gas tank is the operator's: an empty one holds back every merchant's sweeps.
  if (reason === "gas_tank_insufficient")
    await recordNotification(tx, {
      kind: "sweeps_paused",
      merchantId: null,
      title: `Gas tank empty on ${sweep.chain}: sweeps paused`,
      body: `The gas tank on ${sweep.chain} cannot pay sweep top-ups; sweeps wait until it is funded.\n\n${cause}`,
      link: "/dashboard",
      dedupeKey: `sweeps_paused:operator:${sweep.chain}:${hourBucket(now)}`,
      now,
    });
}

/** Approved payouts wait (token paused, gas tank empty): one per merchant, chain and hour. */
export async function notifyPayoutsPaused(
  tx: Sql,
  params: { merchantId: string; chain: string; payoutId?: string; gasTankEmpty?: boolean },
  cause: string,
  now = new Date(),
) {
  await recordNotification(tx, {
    kind: "payouts_paused",
    merchantId: params.merchantId,
    title: `Payouts paused on ${params.chain}`,
    body:
      `Approved payouts on ${params.chain} cannot be sent for now; they are sent by themselves once the ` +
      `cause is fixed.\n\n${cause}`,
    link: params.payoutId ? `/dashboard/payouts/${params.payoutId}` : "/dashboard/payouts",
    dedupeKey: `payouts_paused:${params.merchantId}:${params.chain}:${hourBucket(now)}`,
    now,
  });
  if (params.gasTankEmpty)
    await recordNotification(tx, {
      kind: "payouts_paused",
      merchantId: null,
      title: `Gas tank empty on ${params.chain}: payouts paused`,
      body: `The gas tank on ${params.chain} cannot top up the hot wallets; token payouts wait.\n\n${cause}`,
      link: "/dashboard",
      dedupeKey: `payouts_paused:operator:${params.chain}:${hourBucket(now)}`,
      now,
    });
}

/** The endpoint has had no successful attempt for an hour or more: one per endpoint and day. */
export async function notifyWebhookEndpointFailing(
  tx: Sql,
  endpoint: { id: string; merchantId: string; url: string },
  failingSince: Date,
  now = new Date(),
) {
  await recordNotification(tx, {
    kind: "webhook_endpoint_failing",
    merchantId: endpoint.merchantId,
    title: "A webhook endpoint is failing",
    body:
      `Deliveries to your webhook endpoint ${webhookHost(endpoint.url)} (${endpoint.id}) have failed since ` +
      `${failingSince.toISOString()}, and none has succeeded since. They are retried; fix the endpoint or ` +
      "disable it.",
    link: `/dashboard/webhooks/${endpoint.id}`,
    dedupeKey: `${webhookFailingDedupePrefix()}${endpoint.id}:${dayBucket(now)}`,
    now,
  });
}

export const webhookFailingDedupePrefix = () => "webhook_endpoint_failing:";

/** Someone disabled a webhook endpoint: its events stop going out. */
export async function notifyWebhookEndpointDisabled(
  tx: Sql,
  endpoint: { id: string; merchantId: string; url: string },
  actor: Actor,
) {
  await recordNotification(tx, {
    kind: "webhook_endpoint_failing",
    merchantId: endpoint.merchantId,
    title: "A webhook endpoint was disabled",
    body:
      `Your webhook endpoint ${webhookHost(endpoint.url)} (${endpoint.id}) was disabled by ${describeActor(actor)}: ` +
      "no events are sent to it until it is enabled again.",
    link: `/dashboard/webhooks/${endpoint.id}`,
  });
}

/** Only the host: a URL's path or query may carry a token of the merchant's own. */
function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * A chain incident: the merchants whose payments it touched (a deep reorg's reverted transfers, a
 * settled payment lost) and, for a chain-wide one, the operator.
 */
export async function notifyChainIncident(
  tx: Sql,
  incident: {
    id: string;
    chain: string;
    kind: string;
    depth: number;
    merchantId?: string | null;
    paymentId?: string | null;
    paymentIds?: readonly string[];
  },
  now = new Date(),
) {
  const paymentIds = [
    ...new Set([...(incident.paymentIds ?? []), ...(incident.paymentId ? [incident.paymentId] : [])]),
  ];
  const payments = await tx.payment.findMany({
    where: { id: { in: paymentIds } },
    select: { id: true, merchantId: true },
    orderBy: { id: "asc" },
  });
  const byMerchant = new Map<string, string[]>();
  for (const payment of payments)
    byMerchant.set(payment.merchantId, [...(byMerchant.get(payment.merchantId) ?? []), payment.id]);
  if (incident.merchantId && !byMerchant.has(incident.merchantId)) byMerchant.set(incident.merchantId, []);
  const what =
    incident.kind === "deep_reorg"
      ? `A chain reorganisation of ${incident.depth} blocks on ${incident.chain}, deeper than the confirmations the gateway waits for`
      : `A chain reorganisation on ${incident.chain} removed a payment that was already settled`;
  for (const [merchantId, ids] of byMerchant) {
    const shown = ids.slice(0, 20);
    await recordNotification(tx, {
      kind: "deep_reorg",
      merchantId,
      title: `Chain reorganisation on ${incident.chain} affected your payments`,
      body:
        `${what} (incident ${incident.id}). Payments affected: ${shown.join(", ") || "see the dashboard"}` +
        `${ids.length > shown.length ? ` and ${ids.length - shown.length} more` : ""}. Check them before shipping goods.`,
      link: shown.length === 1 ? `/dashboard/payments/${shown[0]}` : "/dashboard/payments",
      dedupeKey: `deep_reorg:${merchantId}:${incident.id}`,
      now,
    });
  }
  if (incident.kind === "deep_reorg")
    await recordNotification(tx, {
      kind: "deep_reorg",
      merchantId: null,
      title: `Deep chain reorganisation on ${incident.chain}`,
      body: `${what} (incident ${incident.id}); ${payments.length} payments affected. Acknowledge it in the dashboard once checked.`,
      link: "/dashboard",
      dedupeKey: `deep_reorg:operator:${incident.id}`,
      now,
    });
}

/** Audited changes people are told about: a new API key, money-routing and account settings. */
export async function notifyAuditedChange(tx: Sql, entry: AuditEntryParams) {
  const details = entry.details ?? {};
  const text = (key: string) => (typeof details[key] === "string" ? (details[key] as string) : null);
  const by = describeAuditActor(entry.actor);
  if (entry.action === "api_key.created") {
    const permissions = Array.isArray(details.permissions) ? details.permissions.join(", ") : "";
    await recordNotification(tx, {
      kind: "api_key_created",
      merchantId: entry.merchantId,
      title: "A new API key was created",
      body: `The API key "${text("name") ?? ""}" (${entry.targetId ?? ""}) was created by ${by}, with the permissions: ${permissions}. If this was not you or your team, revoke it now.`,
      link: "/dashboard/api-keys",
    });
    return;
  }
  const change = SETTINGS_CHANGES[entry.action];
  if (!change) return;
  const scope = [text("chain") && `chain ${text("chain")}`, text("token") && `token ${text("token")}`]
    .filter(Boolean)
    .join(", ");
  const effective = text("effective_at");
  await recordNotification(tx, {
    kind: "settings_changed",
    merchantId: entry.merchantId,
    title: change,
    body:
      `${change}${scope ? ` (${scope})` : ""} by ${by}` +
      `${entry.action === "settings.change_scheduled" && effective ? `; it takes effect at ${effective} unless canceled` : ""}.` +
      " If this was not you or your team, check the settings and the audit log now.",
    link: "/dashboard/settings",
  });
}

const SETTINGS_CHANGES: Partial<Record<AuditEntryParams["action"], string>> = {
  "settings.treasury_changed": "Treasury setting changed",
  "settings.payout_limits_changed": "Payout limits changed",
  "settings.change_scheduled": "Money-routing change scheduled",
  "settings.change_canceled": "Scheduled money-routing change canceled",
  "settings.change_applied": "Scheduled money-routing change applied",
  "settings.account_changed": "Account settings changed",
};

function describeAuditActor(actor: AuditEntryParams["actor"]): string {
  return actor.type === "anonymous" ? "someone not signed in" : describeActor(actor as Actor);
}
