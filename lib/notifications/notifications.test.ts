// Notifications end to end on a real database and a real SMTP server (smtp-server on loopback):
// each kind is recorded by its real code path, the job's sender emails the merchant's owners and
// admins only (never viewers, developers, opted-out members or another merchant's people), no
// email carries a secret, a dead SMTP server is retried with backoff until it answers, and without
// SMTP_URL the notifications are only recorded.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const OPS_EMAIL = "ops@gateway.example";
vi.hoisted(() => {
  // Read by env() on its first call, which comes after this.
  process.env.OPS_EMAIL = "ops@gateway.example";
});

import { OPERATOR, userActor } from "../access/actor";
import type { TRole } from "../access/permissions";
import { createApiKey } from "../api-keys/create-api-key";
import { env } from "../config/env";
import { recordEvent } from "../events/record-event";
import { recordChainIncident } from "../health/chain-incidents";
import { newId } from "../ids";
import { runJobSteps } from "../jobs/define-job";
import { notificationEmailJob } from "../jobs/jobs";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { createPayout } from "../payouts/create-payout";
import { setPayoutLimits } from "../payouts/payout-limits";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { adjustBalance } from "../testing/ledger";
import { describeSecretHit, findSecrets, walletSecretTermsOf } from "../testing/secret-scan";
import { startSmtpServer, type TestSmtpServer } from "../testing/smtp-server";
import { testChain } from "../testing/test-chain";
import { createWebhookEndpoint } from "../webhooks/create-webhook-endpoint";
import { deliverWebhook } from "../webhooks/deliver-webhook";
import { updateWebhookEndpoint } from "../webhooks/manage-webhook-endpoints";
import { webhookDeps } from "../webhooks/webhook-deps";
import { NOTIFICATION_KINDS } from "./kinds";
import {
  listNotifications,
  markNotificationsRead,
  notificationPreferences,
  setNotificationPreferences,
} from "./manage-notifications";
import { notifySweepsPaused } from "./notify";
import { emailRetryDelayMs, sendDueNotificationEmails } from "./send-notification-emails";

const PUBLIC_URL = "https://pay.example";
const chains = [testChain()];
const logger = createLogger({}, { level: "error" });
let database: TestDatabase;
let smtp: TestSmtpServer;

type Team = {
  merchantId: string;
  emails: Record<"owner" | TRole | "quietAdmin", string>;
  ids: Record<string, string>;
};
let a: Team;
let b: Team;

/** A merchant with one member of each role, and an admin who opted out of payout approvals. */
async function merchantWithTeam(label: string): Promise<Team> {
  const db = database.db;
  const ownerEmail = `${label}-owner@example.com`;
  const { merchantId } = await createMerchant(db, {
    name: `${label} shop`,
    email: ownerEmail,
    password: "correct horse battery",
  });
  const owner = await db.user.findFirstOrThrow({ where: { merchantId } });
  const ids: Record<string, string> = { owner: owner.id };
  const emails = { owner: ownerEmail } as Team["emails"];
  for (const [name, role] of [
    ["admin", "admin"],
    ["developer", "developer"],
    ["viewer", "viewer"],
    ["quietAdmin", "admin"],
  ] as const) {
    const user = await db.user.create({
      data: {
        id: newId("usr"),
        merchantId,
        email: `${label}-${name.toLowerCase()}@example.com`,
        passwordHash: "unused",
        role,
      },
    });
    ids[name] = user.id;
    emails[name] = user.email;
  }
  await setNotificationPreferences(
    { db, actor: userActor({ merchantId, userId: ids.quietAdmin ?? "", role: "admin" }) },
    { email: NOTIFICATION_KINDS.filter((kind) => kind !== "payout_awaiting_approval") },
  );
  // Balance mode with 1 ETH; payouts under 0.05 ETH are approved automatically.
  await setTreasurySetting({ actor: OPERATOR, db, chains }, merchantId, { chain: "local", mode: "balance" });
  await adjustBalance(db, merchantId, { tokenSymbol: "ETH", amount: 10n ** 18n });
  await setPayoutLimits({ db, chains, actor: OPERATOR, delaySeconds: 0 }, merchantId, {
    chain: "local",
    auto_approve_below: "0.05",
  });
  return { merchantId, emails, ids };
}

function send(overrides: Partial<Parameters<typeof sendDueNotificationEmails>[0]> = {}) {
  return sendDueNotificationEmails({
    db: database.db,
    logger,
    smtpUrl: smtp.url,
    from: "cTrip Pay <notify@pay.example>",
    publicUrl: PUBLIC_URL,
    ...overrides,
  });
}

/** Every received message is free of secrets (the seed, its keys, API keys, webhook secrets, hashes). */
async function expectNoSecrets(extra: string[] = []) {
  const terms = await walletSecretTermsOf(database.db, env().WALLET_MNEMONIC);
  for (const message of smtp.messages) {
    expect(findSecrets(message.raw, terms).map(describeSecretHit)).toEqual([]);
    for (const secret of extra) expect(message.raw).not.toContain(secret);
  }
}

const recipientsOf = (subject: RegExp) =>
  smtp.messages
    .filter((message) => subject.test(message.subject))
    .flatMap((message) => message.to)
    .sort();

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpServer();
  a = await merchantWithTeam("alpha");
  b = await merchantWithTeam("bravo");
});
afterAll(async () => {
  await smtp?.close();
  await database?.drop();
});
beforeEach(async () => {
  await database.db.notification.deleteMany();
  smtp.messages.length = 0;
});

describe("notification emails", () => {
  it("a payout above the auto-approval threshold: its owner and admin are emailed, nobody else", async () => {
    const deps = { actor: OPERATOR, db: database.db, chains };
    const payout = {
      chain: "local",
      token: "ETH",
      address: "0x000000000000000000000000000000000000dEaD" as const,
    };
    const small = await createPayout(deps, a.merchantId, { ...payout, amount: "0.01" });
    expect(small.status).toBe("approved");
    expect(await database.db.notification.count()).toBe(0);

    const large = await createPayout(deps, a.merchantId, { ...payout, amount: "0.1" });
    expect(large.status).toBe("pending_approval");
    const [notification] = await database.db.notification.findMany({ include: { recipients: true } });
    expect(notification).toMatchObject({ merchantId: a.merchantId, kind: "payout_awaiting_approval" });
    expect(notification?.recipients.map((recipient) => [recipient.email, recipient.status]).sort()).toEqual([
      [a.emails.admin, "pending"],
      [a.emails.owner, "pending"],
      [a.emails.quietAdmin, "opted_out"],
    ]);

    expect(await send()).toEqual({ sent: 2, failed: 0, off: 0 });
    expect(recipientsOf(/./)).toEqual([a.emails.admin, a.emails.owner].sort());
    const [message] = smtp.messages;
    expect(message?.subject).toBe("[cTrip Pay] Payout of 0.1 ETH on local awaits approval");
    expect(message?.from).toBe("notify@pay.example");
    expect(message?.text).toContain(`${PUBLIC_URL}/dashboard/payouts/${large.id}`);
    expect(message?.text).toContain("0.1 ETH on local");
    await expectNoSecrets();
    // Sent once: a second run finds nothing due.
    expect(await send()).toEqual({ sent: 0, failed: 0, off: 0 });
    const rows = await database.db.notificationRecipient.findMany({ where: { status: "sent" } });
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.sentAt).not.toBeNull();
  });

  it("a new API key and settings changes: the merchant's owner and admins are told, without the key", async () => {
    const owner = userActor({ merchantId: a.merchantId, userId: a.ids.owner ?? "", role: "owner" });
    const key = await createApiKey(
      { db: database.db, actor: owner },
      { merchantId: a.merchantId, name: "shop server" },
    );
    await setPayoutLimits({ db: database.db, chains, actor: owner, delaySeconds: 0 }, a.merchantId, {
      chain: "local",
      max_per_payout: "0.5",
    });
    await setTreasurySetting({ actor: owner, db: database.db, chains, delaySeconds: 3_600 }, a.merchantId, {
      chain: "local",
      address: "0x000000000000000000000000000000000000bEEF",
    });
    const kinds = await database.db.notification.findMany({
      select: { kind: true, title: true, merchantId: true },
    });
    expect(kinds.map((row) => row.merchantId)).toEqual(kinds.map(() => a.merchantId));
    expect(kinds.map((row) => row.title).sort()).toEqual(
      ["A new API key was created", "Money-routing change scheduled", "Payout limits changed"].sort(),
    );

    await send();
    const team = [a.emails.admin, a.emails.owner, a.emails.quietAdmin].sort();
    expect(recipientsOf(/A new API key/)).toEqual(team);
    expect(recipientsOf(/Payout limits changed/)).toEqual(team);
    const scheduled = smtp.messages.find((message) => /Money-routing change scheduled/.test(message.subject));
    expect(scheduled?.text).toMatch(/takes effect at \d{4}-\d\d-\d\dT/);
    expect(scheduled?.text).toContain(`${PUBLIC_URL}/dashboard/settings`);
    const keyMail = smtp.messages.find((message) => /A new API key/.test(message.subject));
    expect(keyMail?.text).toContain('"shop server"');
    expect(keyMail?.text).toContain(`owner ${a.ids.owner}`);
    await expectNoSecrets([key.apiKey, key.apiKey.slice(3)]);
  });

  it("SMTP down: each failure is recorded and retried with backoff, and the email goes out once it is back", async () => {
    const down = await startSmtpServer();
    const url = down.url;
    await down.close();
    await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId: b.merchantId, name: "retry" });
    const t0 = new Date();
    const at = (ms: number) => () => new Date(t0.getTime() + ms);
    const rows = () =>
      database.db.notificationRecipient.findMany({
        where: { status: { not: "opted_out" } },
        orderBy: { email: "asc" },
      });

    expect(await send({ smtpUrl: url, now: at(0) })).toEqual({ sent: 0, failed: 3, off: 0 });
    for (const row of await rows()) {
      expect(row).toMatchObject({ status: "pending", attempts: 1, sentAt: null });
      expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(row.nextAttemptAt?.getTime()).toBe(t0.getTime() + emailRetryDelayMs(1));
    }
    // Not due yet: nothing is tried.
    expect(await send({ smtpUrl: url, now: at(10_000) })).toEqual({ sent: 0, failed: 0, off: 0 });
    expect(await send({ smtpUrl: url, now: at(30_000) })).toEqual({ sent: 0, failed: 3, off: 0 });
    for (const row of await rows()) {
      expect(row.attempts).toBe(2);
      expect(row.nextAttemptAt?.getTime()).toBe(t0.getTime() + 30_000 + emailRetryDelayMs(2));
    }
    expect(emailRetryDelayMs(2)).toBeGreaterThan(emailRetryDelayMs(1));
    expect(emailRetryDelayMs(50)).toBe(60 * 60_000);

    const back = await startSmtpServer(down.port);
    try {
      expect(await send({ smtpUrl: back.url, now: at(30_000 + emailRetryDelayMs(2)) })).toEqual({
        sent: 3,
        failed: 0,
        off: 0,
      });
      expect(back.messages.flatMap((message) => message.to).sort()).toEqual(
        [b.emails.admin, b.emails.owner, b.emails.quietAdmin].sort(),
      );
      for (const row of await rows())
        expect(row).toMatchObject({ status: "sent", attempts: 2, lastError: null });
    } finally {
      await back.close();
    }
  });

  it("without SMTP_URL: only recorded, shown in the dashboard list as not emailed", async () => {
    await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId: a.merchantId, name: "no smtp" });
    expect(await send({ smtpUrl: undefined })).toEqual({ sent: 0, failed: 0, off: 3 });
    expect(smtp.messages).toEqual([]);
    const owner = userActor({ merchantId: a.merchantId, userId: a.ids.owner ?? "", role: "owner" });
    const [item] = await listNotifications({ db: database.db, actor: owner }, a.merchantId);
    expect(item).toMatchObject({
      kind: "api_key_created",
      read: false,
      emails: { pending: 0, sent: 0, opted_out: 0, email_off: 3 },
    });
    // The job declaration does the same with the process environment (no SMTP_URL in tests).
    await createApiKey(
      { db: database.db, actor: OPERATOR },
      { merchantId: a.merchantId, name: "by the job" },
    );
    const run = await runJobSteps(notificationEmailJob, { db: database.db, chains, logger });
    expect(run.steps["send-due-notification-emails"]).toEqual({ sent: 0, failed: 0, off: 3 });
  });

  it("bursts collapse: one 'sweeps paused' per merchant, chain and hour; the gas tank's also to OPS_EMAIL", async () => {
    const hour = new Date("2026-12-04T10:05:00Z");
    const sweep = { merchantId: a.merchantId, chain: "local", paymentId: "pay_x" };
    for (const minutes of [0, 10, 50])
      await notifySweepsPaused(
        database.db,
        sweep,
        "gas_tank_insufficient",
        "the gas tank is empty",
        new Date(hour.getTime() + minutes * 60_000),
      );
    const label = (merchantId: string | null) =>
      merchantId === a.merchantId ? "alpha" : merchantId === b.merchantId ? "bravo" : "operator";
    const counts = async () =>
      (await database.db.notification.groupBy({ by: ["merchantId"], _count: { _all: true } }))
        .map((group) => `${label(group.merchantId)} ${group._count._all}`)
        .sort();
    expect(await counts()).toEqual(["alpha 1", "operator 1"]);
    await notifySweepsPaused(
      database.db,
      sweep,
      "gas_tank_insufficient",
      "still empty",
      new Date("2026-12-04T11:01:00Z"),
    );
    await notifySweepsPaused(
      database.db,
      { ...sweep, merchantId: b.merchantId },
      "token_paused",
      "paused",
      hour,
    );
    expect(await counts()).toEqual(["alpha 2", "bravo 1", "operator 2"]);
    await send();
    expect(recipientsOf(/Gas tank empty/)).toEqual([OPS_EMAIL, OPS_EMAIL]);
    const ops = smtp.messages.find((message) => message.to.includes(OPS_EMAIL));
    expect(ops?.text).toContain("OPS_EMAIL");
    // B's paused token is B's alone; A's people never get B's notification, nor B's A's.
    expect(recipientsOf(/Sweeps paused/).filter((email) => email.startsWith("alpha-")).length).toBe(6);
    expect(recipientsOf(/Sweeps paused/).filter((email) => email.startsWith("bravo-")).length).toBe(3);
    const owner = userActor({ merchantId: a.merchantId, userId: a.ids.owner ?? "", role: "owner" });
    const listed = await listNotifications({ db: database.db, actor: owner }, a.merchantId);
    expect(listed.map((item) => item.kind)).toEqual(["sweeps_paused", "sweeps_paused"]);
  });

  it("a deep reorg: the merchants whose payments it touched, and the operator", async () => {
    const payment = await createPayment(
      { actor: OPERATOR, db: database.db, chains, baseUrl: PUBLIC_URL },
      b.merchantId,
      { chain: "local", amount: "1" },
    );
    await database.db.$transaction((tx) =>
      recordChainIncident(tx, {
        chain: "local",
        kind: "deep_reorg",
        depth: 7,
        detail: "reorg of 7 blocks",
        paymentIds: [payment.id],
      }),
    );
    const rows = await database.db.notification.findMany({ orderBy: { merchantId: "asc" } });
    expect(rows.map((row) => [row.merchantId, row.kind])).toEqual([
      [b.merchantId, "deep_reorg"],
      [null, "deep_reorg"],
    ]);
    expect(rows[0]?.body).toContain(payment.id);
    await send();
    expect(recipientsOf(/affected your payments/)).toEqual(
      [b.emails.admin, b.emails.owner, b.emails.quietAdmin].sort(),
    );
    expect(recipientsOf(/Deep chain reorganisation/)).toEqual([OPS_EMAIL]);
    await expectNoSecrets();
  });

  it("a webhook endpoint failing for an hour: told once a day, with the host only", async () => {
    const deps = webhookDeps(database.db, logger);
    const endpoint = await createWebhookEndpoint({ ...deps, actor: OPERATOR }, a.merchantId, {
      url: "http://127.0.0.1:9/hooks?token=merchant-own-token",
      enabled_events: [],
    });
    const deliveries = [];
    for (let i = 0; i < 3; i++) {
      await database.db.$transaction((tx) =>
        recordEvent(tx, {
          merchantId: a.merchantId,
          type: "payment.created",
          objectId: `pay_w${i}`,
          object: { id: `pay_w${i}` },
        }),
      );
    }
    deliveries.push(...(await database.db.webhookDelivery.findMany({ where: { endpointId: endpoint.id } })));
    const t0 = new Date("2026-12-04T08:00:00Z");
    const attempt = (deliveryId: string, minutes: number) =>
      deliverWebhook({ ...deps, now: () => new Date(t0.getTime() + minutes * 60_000) }, deliveryId);
    await attempt(deliveries[0]?.id ?? "", 0);
    await attempt(deliveries[1]?.id ?? "", 30);
    expect(await database.db.notification.count()).toBe(0);
    await attempt(deliveries[2]?.id ?? "", 61);
    await attempt(deliveries[0]?.id ?? "", 90);
    const rows = await database.db.notification.findMany();
    expect(rows.map((row) => [row.merchantId, row.kind, row.link])).toEqual([
      [a.merchantId, "webhook_endpoint_failing", `/dashboard/webhooks/${endpoint.id}`],
    ]);
    expect(rows[0]?.body).toContain("127.0.0.1:9");
    expect(rows[0]?.body).toContain(t0.toISOString());
    await send();
    expect(recipientsOf(/webhook endpoint is failing/)).toEqual(
      [a.emails.admin, a.emails.owner, a.emails.quietAdmin].sort(),
    );
    await expectNoSecrets([endpoint.secret, "merchant-own-token"]);

    // Disabled by a developer: its events stop, the owners and admins are told (once, not on a no-op).
    const developer = userActor({
      merchantId: a.merchantId,
      userId: a.ids.developer ?? "",
      role: "developer",
    });
    for (let i = 0; i < 2; i++)
      await updateWebhookEndpoint({ ...deps, actor: developer }, a.merchantId, endpoint.id, {
        status: "disabled",
      });
    const disabled = await database.db.notification.findMany({
      where: { title: "A webhook endpoint was disabled" },
    });
    expect(disabled.map((row) => [row.merchantId, row.kind])).toEqual([
      [a.merchantId, "webhook_endpoint_failing"],
    ]);
    expect(disabled[0]?.body).toContain(`developer ${a.ids.developer}`);
  });

  it("preferences and read marks are the member's own", async () => {
    const viewer = userActor({ merchantId: a.merchantId, userId: a.ids.viewer ?? "", role: "viewer" });
    const admin = userActor({ merchantId: a.merchantId, userId: a.ids.admin ?? "", role: "admin" });
    const quiet = userActor({ merchantId: a.merchantId, userId: a.ids.quietAdmin ?? "", role: "admin" });
    expect((await notificationPreferences({ db: database.db, actor: quiet })).payout_awaiting_approval).toBe(
      false,
    );
    expect((await notificationPreferences({ db: database.db, actor: admin })).payout_awaiting_approval).toBe(
      true,
    );
    await expect(
      setNotificationPreferences({ db: database.db, actor: admin }, { email: ["no_such_kind"] }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    await expect(
      setNotificationPreferences({ db: database.db, actor: OPERATOR }, { email: [] }),
    ).rejects.toMatchObject({
      code: "forbidden",
    });
    // The admin opts out of API keys: the next one is recorded as opted out for them only.
    await setNotificationPreferences({ db: database.db, actor: admin }, { email: ["deep_reorg"] });
    await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId: a.merchantId, name: "quiet" });
    await send();
    expect(recipientsOf(/A new API key/)).toEqual([a.emails.owner, a.emails.quietAdmin].sort());
    await setNotificationPreferences({ db: database.db, actor: admin }, { email: [...NOTIFICATION_KINDS] });

    expect(await markNotificationsRead({ db: database.db, actor: viewer })).toBe(0);
    expect(await markNotificationsRead({ db: database.db, actor: quiet })).toBe(1);
    const owner = userActor({ merchantId: a.merchantId, userId: a.ids.owner ?? "", role: "owner" });
    expect((await listNotifications({ db: database.db, actor: owner }, a.merchantId))[0]?.read).toBe(false);
    expect((await listNotifications({ db: database.db, actor: quiet }, a.merchantId))[0]?.read).toBe(true);
    expect((await listNotifications({ db: database.db, actor: viewer }, a.merchantId))[0]?.read).toBeNull();
    // Another merchant's member cannot list A's notifications.
    const other = userActor({ merchantId: b.merchantId, userId: b.ids.owner ?? "", role: "owner" });
    await expect(listNotifications({ db: database.db, actor: other }, a.merchantId)).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
