import { randomBytes } from "node:crypto";
import { InngestTestEngine } from "@inngest/test";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { recordEvent } from "../../lib/events/record-event";
import { createLogger } from "../../lib/logger";
import { createMerchant } from "../../lib/merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { startWebhookReceiver, type WebhookReceiver } from "../../lib/testing/webhook-receiver";
import { createWebhookEndpoint } from "../../lib/webhooks/create-webhook-endpoint";
import { relayWebhookDeliveries } from "../../lib/webhooks/relay-webhook-deliveries";
import type { WebhookDeps } from "../../lib/webhooks/webhook-deps";
import { webhookDeliveryRequested } from "../client";
import { createWebhookDelivery } from "./webhook-delivery";

let database: TestDatabase;
let receiver: WebhookReceiver;
beforeAll(async () => {
  database = await createTestDatabase();
  // 500 twice, then 200.
  receiver = await startWebhookReceiver((_request, index) => (index < 2 ? 500 : 200));
});
afterAll(async () => {
  await receiver.close();
  await database.drop();
});

function deps(): WebhookDeps {
  return {
    db: database.db,
    encryptionKey: Buffer.alloc(32, 3),
    allowLoopbackTargets: true,
    logger: createLogger({}, { level: "error" }),
    timeoutMs: 2_000,
    // Due again at once: the test mocks the sleeps, it never waits for the real schedule.
    retryScheduleMs: [0, 0, 0],
  };
}

async function setup() {
  const suffix = randomBytes(6).toString("hex");
  const { merchantId } = await createMerchant(database.db, {
    name: `m ${suffix}`,
    email: `m-${suffix}@test.local`,
    password: "password-123",
  });
  const endpoint = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
    url: receiver.url,
  });
  const eventId = await database.db.$transaction((tx) =>
    recordEvent(tx, { merchantId, type: "payment.detected", objectId: "pay_y", object: { id: "pay_y" } }),
  );
  const delivery = await database.db.webhookDelivery.findFirstOrThrow({ where: { eventId } });
  return { endpoint, eventId, deliveryId: delivery.id };
}

describe("webhook-delivery function", () => {
  it("attempts, sleeps until the next attempt of the schedule, and stops once delivered", async () => {
    const { endpoint, eventId, deliveryId } = await setup();
    const engine = new InngestTestEngine({
      function: createWebhookDelivery({ getDeps: deps }),
      events: [webhookDeliveryRequested.create({ delivery_id: deliveryId })],
      steps: [1, 2, 3].map((round) => ({ id: `wait-${deliveryId}-${round}`, handler() {} })),
    });

    const { result, ctx } = await engine.execute();

    expect(result).toEqual({ status: "succeeded", nextAttemptAt: null, attemptCount: 3 });
    expect(ctx.step.run).toHaveBeenCalledWith(`attempt-${deliveryId}-1`, expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith(`attempt-${deliveryId}-3`, expect.any(Function));
    expect(ctx.step.sleepUntil).toHaveBeenCalledTimes(2);
    const attempts = await database.db.webhookAttempt.findMany({
      where: { deliveryId },
      orderBy: { attemptNumber: "asc" },
    });
    expect(attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 200]);
    const last = receiver.received.at(-1);
    if (!last) throw new Error("nothing received");
    expect(new Webhook(endpoint.secret).verify(last.body, last.headers)).toMatchObject({ id: eventId });
  });

  it("does not send again when the delivery already succeeded (duplicate run)", async () => {
    const { deliveryId } = await setup();
    const before = receiver.received.length;
    await database.db.webhookDelivery.update({
      where: { id: deliveryId },
      data: { status: "succeeded", nextAttemptAt: null },
    });
    const { result } = await new InngestTestEngine({
      function: createWebhookDelivery({ getDeps: deps }),
      events: [webhookDeliveryRequested.create({ delivery_id: deliveryId })],
    }).execute();
    expect(result).toMatchObject({ status: "succeeded" });
    expect(receiver.received.length).toBe(before);
  });

  it("relays each new event's deliveries once, and again if sending failed", async () => {
    const { deliveryId } = await setup();
    await expect(
      relayWebhookDeliveries(database.db, async () => {
        throw new Error("Inngest unreachable");
      }),
    ).rejects.toThrow("Inngest unreachable");
    const sent: string[] = [];
    const first = await relayWebhookDeliveries(database.db, async (deliveries) => {
      sent.push(...deliveries.map((delivery) => delivery.id));
      // Each delivery carries its merchant, the Inngest per-merchant concurrency key.
      expect(deliveries.every((delivery) => delivery.merchantId.startsWith("mer_"))).toBe(true);
    });
    expect(sent).toContain(deliveryId);
    expect(first.events).toBeGreaterThanOrEqual(1);
    const second = await relayWebhookDeliveries(database.db, async (deliveries) => {
      sent.push(...deliveries.map((delivery) => delivery.id));
    });
    expect(second).toEqual({ events: 0, deliveries: 0 });
  });
});
