import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { recordEvent } from "../events/record-event";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "../webhooks/create-webhook-endpoint";
import { webhookDeps } from "../webhooks/webhook-deps";
import { sharedWebhookDispatcher } from "../webhooks/webhook-dispatcher";
import { startEmbeddedRunner } from "./embedded-runner";
import { webhookDeliveryJob } from "./jobs";

let database: TestDatabase;
let receiver: WebhookReceiver;
const logger = createLogger({}, { level: "error" });
beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sharedWebhookDispatcher(database.db, logger).drain();
  await receiver.close();
  await database.drop();
});

describe("webhook-delivery job on the embedded runner", () => {
  it("delivers new events' webhooks within a fraction of a second", async () => {
    const suffix = randomBytes(6).toString("hex");
    const { merchantId } = await createMerchant(database.db, {
      name: `m ${suffix}`,
      email: `m-${suffix}@test.local`,
      password: "password-123",
    });
    // The job uses the environment's key, as the API that created the endpoint does.
    const endpoint = await createWebhookEndpoint(
      { ...webhookDeps(database.db, logger), actor: OPERATOR },
      merchantId,
      {
        url: receiver.url,
      },
    );
    const runner = startEmbeddedRunner({
      jobs: [webhookDeliveryJob],
      context: { db: database.db, chains: [], logger },
      logger,
    });
    try {
      const eventId = await database.db.$transaction((tx) =>
        recordEvent(tx, {
          merchantId,
          type: "payment.confirmed",
          objectId: "pay_z",
          object: { id: "pay_z" },
        }),
      );
      await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
      const [webhook] = receiver.received;
      if (!webhook) throw new Error("nothing received");
      expect(new Webhook(endpoint.secret).verify(webhook.body, webhook.headers)).toMatchObject({
        id: eventId,
      });
      await expect
        .poll(async () => (await database.db.webhookDelivery.findFirstOrThrow({ where: { eventId } })).status)
        .toBe("succeeded");
    } finally {
      await runner.stop();
    }
  });
});
