import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import type { Db } from "../db/client";
import { recordEvent } from "../events/record-event";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "./create-webhook-endpoint";
import { attemptWebhookDelivery } from "./deliver-webhook";
import { updateWebhookEndpoint } from "./manage-webhook-endpoints";
import { rotateWebhookSecret } from "./rotate-webhook-secret";
import type { WebhookDeps } from "./webhook-deps";
import { createWebhookDispatcher, type WebhookDispatcher } from "./webhook-dispatcher";

let database: TestDatabase;
let db: Db;
const receivers: WebhookReceiver[] = [];
const dispatchers: WebhookDispatcher[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await Promise.all(dispatchers.map((dispatcher) => dispatcher.drain()));
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await database.drop();
});

function deps(overrides: Partial<WebhookDeps> = {}): WebhookDeps {
  return {
    db,
    encryptionKey: Buffer.alloc(32, 7),
    allowLoopbackTargets: true,
    logger: createLogger({}, { level: "error" }),
    timeoutMs: 2_000,
    retryScheduleMs: [20, 20, 20, 20],
    ...overrides,
  };
}

async function receiver(...args: Parameters<typeof startWebhookReceiver>) {
  const started = await startWebhookReceiver(...args);
  receivers.push(started);
  return started;
}

async function merchant(): Promise<string> {
  const suffix = randomBytes(6).toString("hex");
  const { merchantId } = await createMerchant(db, {
    name: `m ${suffix}`,
    email: `m-${suffix}@test.local`,
    password: "password-123",
  });
  return merchantId;
}

async function event(merchantId: string, type: "payment.created" | "payment.canceled" = "payment.created") {
  return db.$transaction((tx) =>
    recordEvent(tx, { merchantId, type, objectId: "pay_x", object: { id: "pay_x", object: "payment" } }),
  );
}

/** Runs a dispatcher until `done` holds; ticks as the embedded job does. */
async function runUntil(dispatcher: WebhookDispatcher, done: () => Promise<boolean>, timeoutMs = 30_000) {
  dispatchers.push(dispatcher);
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await dispatcher.tick();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("webhook delivery", () => {
  it("fans out one delivery per matching enabled endpoint in the event's transaction, on every insert path", async () => {
    const merchantId = await merchant();
    const other = await merchant();
    const url = "http://127.0.0.1:9/unused";
    const all = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url });
    const canceledOnly = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
      url,
      enabled_events: ["payment.canceled"],
    });
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url, status: "disabled" });
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, other, { url });

    const created = await event(merchantId, "payment.created");
    const canceled = await event(merchantId, "payment.canceled");
    // The raw-SQL CTE of createPayment inserts its event without recordEvent.
    const payment = await createPayment(
      { actor: OPERATOR, db, chains: [testChain()], baseUrl: "http://localhost" },
      merchantId,
      { chain: "local", amount: "1" },
    );
    const paymentEvent = await db.event.findFirstOrThrow({ where: { objectId: payment.id } });

    const deliveries = async (eventId: string) =>
      (await db.webhookDelivery.findMany({ where: { eventId }, select: { endpointId: true, status: true } }))
        .map((row) => row.endpointId)
        .sort();
    expect(await deliveries(created)).toEqual([all.id]);
    expect(await deliveries(canceled)).toEqual([all.id, canceledOnly.id].sort());
    expect(await deliveries(paymentEvent.id)).toEqual([all.id]);
    const ids = await db.webhookDelivery.findMany({
      select: { id: true, status: true, nextAttemptAt: true },
    });
    for (const row of ids) {
      expect(row.id).toMatch(/^wd_[0-9A-Za-z]{22}$/);
      expect(row.status).toBe("pending");
      expect(row.nextAttemptAt).not.toBeNull();
    }
  });

  it("sends deliveries that the standardwebhooks library verifies, with the event as the body", async () => {
    const merchantId = await merchant();
    const target = await receiver();
    const endpoint = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
      url: target.url,
    });
    const eventId = await event(merchantId);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { eventId } });

    const outcome = await attemptWebhookDelivery(deps(), delivery.id);

    expect(outcome).toMatchObject({ status: "succeeded", attemptNumber: 1 });
    expect(target.received).toHaveLength(1);
    const [webhook] = target.received;
    if (!webhook) throw new Error("nothing received");
    const verified = new Webhook(endpoint.secret).verify(webhook.body, webhook.headers);
    expect(verified).toMatchObject({
      id: eventId,
      type: "payment.created",
      data: { object: { id: "pay_x" } },
    });
    expect(webhook.headers["webhook-id"]).toBe(eventId);
    expect(webhook.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(webhook.body, webhook.headers),
    ).toThrow();
    // Not due any more: a second attempt of the same delivery is refused.
    expect(await attemptWebhookDelivery(deps(), delivery.id)).toBeNull();
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(stored.secretCiphertext).not.toContain(endpoint.secret.slice(6, 20));
  });

  it("retries 500s on the schedule and is delivered once, with the failed attempts logged", async () => {
    const merchantId = await merchant();
    const target = await receiver((_request, index) => (index < 2 ? 500 : 200));
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url: target.url });
    const eventId = await event(merchantId);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { eventId } });

    await runUntil(createWebhookDispatcher(deps()), async () => {
      const row = await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      return row.status !== "pending";
    });

    const attempts = await db.webhookAttempt.findMany({
      where: { deliveryId: delivery.id },
      orderBy: { attemptNumber: "asc" },
    });
    expect(attempts.map((attempt) => [attempt.attemptNumber, attempt.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(attempts[0]?.responseSnippet).toBe("receiver says 500");
    expect(attempts[0]?.error).toBe("HTTP 500");
    expect(target.received.filter((webhook) => webhook.headers["webhook-id"] === eventId)).toHaveLength(3);
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
      status: "succeeded",
      attemptCount: 3,
      nextAttemptAt: null,
    });
  });

  it("records a hanging receiver as a timeout and retries it; a dead one fails after the schedule", async () => {
    const merchantId = await merchant();
    const hanging = await receiver(() => "hang");
    const down = await receiver();
    await down.close();
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url: hanging.url });
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url: down.url });
    const eventId = await event(merchantId);

    const shortTimeout = deps({ timeoutMs: 200, retryScheduleMs: [20, 20] });
    await runUntil(createWebhookDispatcher(shortTimeout), async () => {
      const pending = await db.webhookDelivery.count({ where: { eventId, status: "pending" } });
      return pending === 0;
    });

    const rows = await db.webhookDelivery.findMany({
      where: { eventId },
      select: { status: true, attemptCount: true, endpoint: { select: { url: true } }, attempts: true },
    });
    for (const row of rows) {
      expect(row.status).toBe("failed");
      expect(row.attemptCount).toBe(3);
      for (const attempt of row.attempts) {
        expect(attempt.statusCode).toBeNull();
        expect(attempt.error).toMatch(
          row.endpoint.url === hanging.url ? /timed out after 200 ms/ : /ECONNREFUSED/,
        );
      }
    }
    expect(hanging.received).toHaveLength(3);
  });

  it("delivers every event promptly to a healthy endpoint while another endpoint hangs", async () => {
    const merchantId = await merchant();
    const hanging = await receiver(() => "hang");
    const healthy = await receiver();
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url: hanging.url });
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url: healthy.url });
    const events: string[] = [];
    for (let i = 0; i < 30; i++) events.push(await event(merchantId));

    const dispatcher = createWebhookDispatcher(deps({ timeoutMs: 20_000 }), {
      concurrency: 8,
      perEndpoint: 2,
    });
    await runUntil(dispatcher, async () => healthy.received.length >= events.length, 15_000);
    expect(new Set(healthy.received.map((webhook) => webhook.headers["webhook-id"]))).toEqual(
      new Set(events),
    );
    // The hanging endpoint never holds more than its share of the slots.
    expect(hanging.received.length).toBeLessThanOrEqual(4);
    await hanging.close();
  });

  it("never sends the same attempt twice when two workers run at once", async () => {
    const merchantId = await merchant();
    const target = await receiver();
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url: target.url });
    const events: string[] = [];
    for (let i = 0; i < 40; i++) events.push(await event(merchantId));

    // A generous timeout: on a loaded machine a 2 s one times the receiver out, and the retry of a
    // timed-out attempt is a second, recorded send (at-least-once), not what this test is about.
    const patient = () => deps({ timeoutMs: 30_000 });
    const workers = [
      createWebhookDispatcher(patient()),
      createWebhookDispatcher(patient()),
      createWebhookDispatcher(patient()),
    ];
    const isDone = async () =>
      (await db.webhookDelivery.count({ where: { eventId: { in: events }, status: "succeeded" } })) ===
      events.length;
    await Promise.all(workers.map((worker) => runUntil(worker, isDone)));
    await Promise.all(workers.map((worker) => worker.drain()));

    const ids = target.received.map((webhook) => webhook.headers["webhook-id"]);
    expect(ids).toHaveLength(events.length);
    expect(new Set(ids)).toEqual(new Set(events));
    expect(await db.webhookAttempt.count({ where: { delivery: { eventId: { in: events } } } })).toBe(
      events.length,
    );
  });

  it("signs with both secrets for 24 h after a rotation, then with the new one only", async () => {
    const merchantId = await merchant();
    const target = await receiver();
    const endpoint = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
      url: target.url,
    });
    const rotated = await rotateWebhookSecret({ ...deps(), actor: OPERATOR }, merchantId, endpoint.id);
    expect(rotated.secret).not.toBe(endpoint.secret);

    const first = await db.webhookDelivery.findFirstOrThrow({ where: { eventId: await event(merchantId) } });
    await attemptWebhookDelivery(deps(), first.id);
    const [during] = target.received;
    if (!during) throw new Error("nothing received");
    expect(during.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(new Webhook(endpoint.secret).verify(during.body, during.headers)).toBeTruthy();
    expect(new Webhook(rotated.secret).verify(during.body, during.headers)).toBeTruthy();

    // The overlap ends 24 h after the rotation.
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(stored.previousSecretExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 23.9 * 3_600_000);
    await db.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { previousSecretExpiresAt: new Date(Date.now() - 1000) },
    });
    const second = await db.webhookDelivery.findFirstOrThrow({ where: { eventId: await event(merchantId) } });
    await attemptWebhookDelivery(deps(), second.id);
    const after = target.received[1];
    if (!after) throw new Error("nothing received");
    expect(after.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(new Webhook(rotated.secret).verify(after.body, after.headers)).toBeTruthy();
    expect(() => new Webhook(endpoint.secret).verify(after.body, after.headers)).toThrow(/signature/i);
  });

  it("delivers nothing to a disabled endpoint and respects the event filter after an update", async () => {
    const merchantId = await merchant();
    const target = await receiver();
    const endpoint = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
      url: target.url,
    });
    await updateWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, endpoint.id, {
      status: "disabled",
    });
    const whileDisabled = await event(merchantId);
    await updateWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, endpoint.id, {
      status: "enabled",
      enabled_events: ["payment.canceled"],
    });
    const filteredOut = await event(merchantId, "payment.created");
    const wanted = await event(merchantId, "payment.canceled");

    await runUntil(createWebhookDispatcher(deps()), async () => target.received.length >= 1);
    expect(await db.webhookDelivery.count({ where: { eventId: { in: [whileDisabled, filteredOut] } } })).toBe(
      0,
    );
    expect(target.received.map((webhook) => webhook.headers["webhook-id"])).toEqual([wanted]);
  });
});
