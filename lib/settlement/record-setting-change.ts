// The one engine of money-routing changes (treasury address and mode, payout limits and
// auto-approval): every change is a `setting_changes` row, recorded in the audit log and announced
// as a `settings.updated` event; a loosening change waits MONEY_ROUTING_DELAY_SECONDS before the job
// (apply-due-setting-changes.ts) writes it to settlement_settings / payout_limits, the only rows the
// sweeper and the payout service read.
import type { AccessDeps, Actor } from "../access/actor";
import { recordAuditEntry, type TAuditAction } from "../audit/record-audit-entry";
import type { TChain } from "../config/chains";
import { moneyRoutingDelaySeconds } from "../config/money-routing-delay";
import type { Db, Tx } from "../db/client";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { formatAmount } from "../money/amounts";
import { resolveToken } from "../payments/payment-object";
import { actorRef, type TActorRef, type TSettingChangeObject } from "./setting-change-object";

export type TreasuryValues = { mode: "treasury" | "balance"; address: string | null };
/** Base units; null = no limit (no auto-approval). */
export type LimitValues = {
  maxPerPayout: bigint | null;
  maxPerDay: bigint | null;
  autoApproveBelow: bigint | null;
};

export type SettingTarget =
  | { kind: "treasury"; chain: string; tokenSymbol: null }
  | { kind: "payout_limits"; chain: string; tokenSymbol: string };
export type SettingValues = TreasuryValues | LimitValues;

export type SettingChangeContext = { chains: TChain[]; now: Date } & AccessDeps;

/** What the services that change money routing take. */
export type MoneyRoutingDeps = {
  db: Db;
  chains: TChain[];
  /** The clock (tests move it past a change's effective time). */
  now?: () => Date;
  /** Overrides MONEY_ROUTING_DELAY_SECONDS (tests of the delay on the devnet). */
  delaySeconds?: number;
} & AccessDeps;

/** Who changes what when (the clock is injectable for tests). */
export function settingChangeContext(
  deps: Omit<MoneyRoutingDeps, "db" | "delaySeconds">,
): SettingChangeContext {
  return { chains: deps.chains, now: deps.now?.() ?? new Date(), actor: deps.actor, origin: deps.origin };
}

/** The delay of a loosening change: the deps' override, else MONEY_ROUTING_DELAY_SECONDS for these chains. */
export function delaySecondsOf(deps: Pick<MoneyRoutingDeps, "chains" | "delaySeconds">): number {
  return deps.delaySeconds ?? moneyRoutingDelaySeconds(deps.chains);
}

type DecimalLike = { toFixed(): string };
const toBigInt = (value: DecimalLike | null) => (value === null ? null : BigInt(value.toFixed()));

export const SETTING_CHANGE_SELECT = {
  id: true,
  kind: true,
  chain: true,
  tokenSymbol: true,
  mode: true,
  address: true,
  maxPerPayout: true,
  maxPerDay: true,
  autoApproveBelow: true,
  effectiveAt: true,
  createdByType: true,
  createdById: true,
  canceledAt: true,
  canceledByType: true,
  canceledById: true,
  appliedAt: true,
  createdAt: true,
} as const;

export type SettingChangeRow = {
  id: string;
  kind: "treasury" | "payout_limits";
  chain: string;
  tokenSymbol: string | null;
  mode: "treasury" | "balance" | null;
  address: string | null;
  maxPerPayout: DecimalLike | null;
  maxPerDay: DecimalLike | null;
  autoApproveBelow: DecimalLike | null;
  effectiveAt: Date;
  createdByType: string;
  createdById: string | null;
  canceledAt: Date | null;
  canceledByType: string | null;
  canceledById: string | null;
  appliedAt: Date | null;
  createdAt: Date;
};

export function targetOf(row: Pick<SettingChangeRow, "kind" | "chain" | "tokenSymbol">): SettingTarget {
  return row.kind === "treasury"
    ? { kind: "treasury", chain: row.chain, tokenSymbol: null }
    : { kind: "payout_limits", chain: row.chain, tokenSymbol: row.tokenSymbol ?? "" };
}

/** Payout limits as stored (NUMERIC) to base units. */
export function limitValuesOf(row: {
  maxPerPayout: DecimalLike | null;
  maxPerDay: DecimalLike | null;
  autoApproveBelow: DecimalLike | null;
}): LimitValues {
  return {
    maxPerPayout: toBigInt(row.maxPerPayout),
    maxPerDay: toBigInt(row.maxPerDay),
    autoApproveBelow: toBigInt(row.autoApproveBelow),
  };
}

export function valuesOf(row: SettingChangeRow): SettingValues {
  return row.kind === "treasury"
    ? { mode: row.mode ?? "treasury", address: row.address }
    : limitValuesOf(row);
}

function columnsOf(values: SettingValues) {
  if ("mode" in values) return { mode: values.mode, address: values.address };
  return {
    maxPerPayout: values.maxPerPayout?.toString() ?? null,
    maxPerDay: values.maxPerDay?.toString() ?? null,
    autoApproveBelow: values.autoApproveBelow?.toString() ?? null,
  };
}

function sameValues(a: SettingValues | null, b: SettingValues | null): boolean {
  return JSON.stringify(a && columnsOf(a)) === JSON.stringify(b && columnsOf(b));
}

/** Serializes concurrent changes (and the apply job) of one merchant's chain/token setting. */
export async function lockSettingTarget(tx: Tx, merchantId: string, target: SettingTarget): Promise<void> {
  const key = `setting:${merchantId}:${target.kind}:${target.chain}:${target.tokenSymbol ?? ""}`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/** The value in effect (settlement_settings / payout_limits), null when none was ever set. */
export async function readLiveValues(
  tx: Tx,
  merchantId: string,
  target: SettingTarget,
): Promise<SettingValues | null> {
  if (target.kind === "treasury") {
    const row = await tx.settlementSetting.findUnique({
      where: { merchantId_chain: { merchantId, chain: target.chain } },
      select: { mode: true, address: true },
    });
    return row && { mode: row.mode, address: row.address };
  }
  const row = await tx.payoutLimit.findUnique({
    where: {
      merchantId_chain_tokenSymbol: { merchantId, chain: target.chain, tokenSymbol: target.tokenSymbol },
    },
    select: { maxPerPayout: true, maxPerDay: true, autoApproveBelow: true },
  });
  return row && limitValuesOf(row);
}

async function writeLiveValues(tx: Tx, merchantId: string, target: SettingTarget, values: SettingValues) {
  if (target.kind === "treasury" && "mode" in values) {
    const data = { mode: values.mode, address: values.address };
    await tx.settlementSetting.upsert({
      where: { merchantId_chain: { merchantId, chain: target.chain } },
      create: { merchantId, chain: target.chain, ...data },
      update: data,
      select: { chain: true },
    });
  } else if (target.kind === "payout_limits" && !("mode" in values)) {
    const data = columnsOf(values);
    const key = { merchantId, chain: target.chain, tokenSymbol: target.tokenSymbol };
    await tx.payoutLimit.upsert({
      where: { merchantId_chain_tokenSymbol: key },
      create: { ...key, ...data },
      update: data,
      select: { chain: true },
    });
  }
}

export function apiValues(chains: TChain[], target: SettingTarget, values: SettingValues | null) {
  if (values === null) return null;
  if ("mode" in values) return { mode: values.mode, address: values.address };
  const chain = chains.find((candidate) => candidate.name === target.chain);
  const decimals = (chain && resolveToken(chain, target.tokenSymbol)?.decimals) ?? 0;
  const show = (value: bigint | null) => (value === null ? null : formatAmount(value, decimals));
  return {
    max_per_payout: show(values.maxPerPayout),
    max_per_day: show(values.maxPerDay),
    auto_approve_below: show(values.autoApproveBelow),
  };
}

const refOf = (type: string | null, id: string | null): TActorRef | null =>
  type === null ? null : { type: type as TActorRef["type"], id };

/** The API / event object of a change; `previous` is the value it replaced or would replace. */
export function serializeSettingChange(
  chains: TChain[],
  row: SettingChangeRow,
  previous: SettingValues | null,
): TSettingChangeObject {
  const target = targetOf(row);
  return {
    object: "settings_change",
    id: row.id,
    kind: row.kind,
    chain: row.chain,
    token: row.tokenSymbol,
    status: row.appliedAt ? "applied" : row.canceledAt ? "canceled" : "scheduled",
    effective_at: row.effectiveAt.toISOString(),
    previous: apiValues(chains, target, previous),
    new: apiValues(chains, target, valuesOf(row)) ?? { mode: "treasury", address: null },
    actor: refOf(row.createdByType, row.createdById) ?? { type: "system", id: null },
    created_at: row.createdAt.toISOString(),
    canceled_at: row.canceledAt?.toISOString() ?? null,
    canceled_by: refOf(row.canceledByType, row.canceledById),
    applied_at: row.appliedAt?.toISOString() ?? null,
  };
}

const AUDIT_ACTION: Record<TSettingChangeObject["status"], TAuditAction> = {
  scheduled: "settings.change_scheduled",
  canceled: "settings.change_canceled",
  applied: "settings.change_applied",
};

/**
 * Records what happened to a change in the audit log (by `actor`) and emits `settings.updated`,
 * in the caller's transaction. An immediate change is audited as treasury/payout-limits changed.
 */
export async function announceSettingChange(
  tx: Tx,
  context: SettingChangeContext,
  merchantId: string,
  row: SettingChangeRow,
  previous: SettingValues | null,
  immediate = false,
): Promise<TSettingChangeObject> {
  const object = serializeSettingChange(context.chains, row, previous);
  const { object: _kind, ...details } = object;
  await recordAuditEntry(tx, {
    merchantId,
    actor: context.actor,
    action: immediate
      ? row.kind === "treasury"
        ? "settings.treasury_changed"
        : "settings.payout_limits_changed"
      : AUDIT_ACTION[object.status],
    targetId: row.id,
    details,
    origin: context.origin,
  });
  await recordEvent(tx, { merchantId, type: "settings.updated", objectId: row.id, object });
  return object;
}

/** Cancels a still-open change (conditional: an applied or canceled one stays as it is). */
export async function cancelOpenChange(
  tx: Tx,
  context: SettingChangeContext,
  merchantId: string,
  id: string,
): Promise<SettingChangeRow | null> {
  const by = actorRef(context.actor);
  const { count } = await tx.settingChange.updateMany({
    where: { id, merchantId, appliedAt: null, canceledAt: null },
    data: { canceledAt: context.now, canceledByType: by.type, canceledById: by.id },
  });
  if (count === 0) return null;
  return tx.settingChange.findUniqueOrThrow({ where: { id }, select: SETTING_CHANGE_SELECT });
}

async function insertChange(
  tx: Tx,
  actor: Actor,
  merchantId: string,
  target: SettingTarget,
  values: SettingValues,
  times: { effectiveAt: Date; appliedAt: Date | null },
): Promise<SettingChangeRow> {
  const by = actorRef(actor);
  return tx.settingChange.create({
    data: {
      id: newId("chg"),
      merchantId,
      kind: target.kind,
      chain: target.chain,
      tokenSymbol: target.tokenSymbol,
      ...columnsOf(values),
      effectiveAt: times.effectiveAt,
      appliedAt: times.appliedAt,
      createdByType: by.type,
      createdById: by.id,
    },
    select: SETTING_CHANGE_SELECT,
  });
}

export type CommitSettingChangeParams = {
  target: SettingTarget;
  /** The value in effect before this request (read under {@link lockSettingTarget}). */
  previous: SettingValues | null;
  /** What takes effect now: the request's tightening part (or all of it). */
  immediate: SettingValues | null;
  /** What waits for the delay (the whole requested value), or null. */
  scheduled: SettingValues | null;
  delaySeconds: number;
};

/**
 * Commits one request of the owner (call inside a transaction holding {@link lockSettingTarget}):
 * the request supersedes any open change of the same setting (canceled), its immediate part is
 * written at once and its loosening part is scheduled `delaySeconds` later. Returns the scheduled
 * change, if any.
 */
export async function commitSettingChange(
  tx: Tx,
  context: SettingChangeContext,
  merchantId: string,
  params: CommitSettingChangeParams,
): Promise<TSettingChangeObject | null> {
  const { target, previous } = params;
  const open = await tx.settingChange.findMany({
    where: {
      merchantId,
      kind: target.kind,
      chain: target.chain,
      tokenSymbol: target.tokenSymbol,
      appliedAt: null,
      canceledAt: null,
    },
    select: { id: true },
  });
  for (const { id } of open) {
    const canceled = await cancelOpenChange(tx, context, merchantId, id);
    if (canceled) await announceSettingChange(tx, context, merchantId, canceled, previous);
  }
  // Without a delay (a devnet) the whole request takes effect at once.
  const immediate = params.delaySeconds === 0 ? (params.scheduled ?? params.immediate) : params.immediate;
  const scheduled = params.delaySeconds === 0 ? null : params.scheduled;
  let live = previous;
  if (immediate && !sameValues(immediate, previous)) {
    await writeLiveValues(tx, merchantId, target, immediate);
    const row = await insertChange(tx, context.actor, merchantId, target, immediate, {
      effectiveAt: context.now,
      appliedAt: context.now,
    });
    await announceSettingChange(tx, context, merchantId, row, previous, true);
    live = immediate;
  }
  if (!scheduled || sameValues(scheduled, live)) return null;
  const row = await insertChange(tx, context.actor, merchantId, target, scheduled, {
    effectiveAt: new Date(context.now.getTime() + params.delaySeconds * 1_000),
    appliedAt: null,
  });
  return announceSettingChange(tx, context, merchantId, row, live);
}

/** Writes a due change to the live settings (the apply job); the row must be locked and open. */
export async function applySettingChange(
  tx: Tx,
  context: SettingChangeContext,
  merchantId: string,
  row: SettingChangeRow,
): Promise<TSettingChangeObject> {
  const target = targetOf(row);
  const previous = await readLiveValues(tx, merchantId, target);
  await writeLiveValues(tx, merchantId, target, valuesOf(row));
  return announceSettingChange(tx, context, merchantId, row, previous);
}
