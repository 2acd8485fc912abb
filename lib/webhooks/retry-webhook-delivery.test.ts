import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { getEventOrThrow, listEvents } from "../events/list-events";
import { recordEvent } from "../events/record-event";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "./create-webhook-endpoint";
import { attemptWebhookDelivery } from "./deliver-webhook";
import { getWebhookDeliveryOrThrow, listWebhookDeliveries } from "./list-webhook-deliveries";
import { retryWebhookDelivery } from "./retry-webhook-delivery";
import { sendTestWebhook } from "./send-test-webhook";
import type { WebhookDeps } from "./webhook-deps";

let database: TestDatabase;
let receiver: WebhookReceiver;
let answer = 500;
beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await startWebhookReceiver(() => answer);
});
afterAll(async () => {
  await receiver.close();
  await database.drop();
});

function deps(): WebhookDeps {
  return {
    db: database.db,
    encryptionKey: Buffer.alloc(32, 9),
    allowLoopbackTargets: true,
    logger: createLogger({}, { level: "error" }),
    timeoutMs: 2_000,
    // One attempt only: a failure is final.
    retryScheduleMs: [],
  };
}

async function merchant() {
  const suffix = randomBytes(6).toString("hex");
  return (
    await createMerchant(database.db, {
      name: `m ${suffix}`,
      email: `m-${suffix}@t.local`,
      password: "password-123",
    })
  ).merchantId;
}

describe("delivery log and manual retry", () => {
  it("resets a failed delivery, attempts it now and lists it by status, endpoint and event", async () => {
    const merchantId = await merchant();
    const other = await merchant();
    const endpoint = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
      url: receiver.url,
    });
    const eventId = await database.db.$transaction((tx) =>
      recordEvent(tx, { merchantId, type: "payment.expired", objectId: "pay_q", object: { id: "pay_q" } }),
    );
    const { id } = await database.db.webhookDelivery.findFirstOrThrow({ where: { eventId } });
    answer = 500;
    expect(await attemptWebhookDelivery(deps(), id)).toMatchObject({ status: "failed" });

    const failedPage = await listWebhookDeliveries({ db: database.db, actor: OPERATOR }, merchantId, {
      limit: 20,
      status: "failed",
    });
    expect(failedPage.data.map((delivery) => delivery.id)).toEqual([id]);
    expect(
      (
        await listEvents({ db: database.db, actor: OPERATOR }, merchantId, {
          limit: 20,
          delivery_success: false,
        })
      ).data,
    ).toHaveLength(1);
    expect(
      (
        await listWebhookDeliveries({ db: database.db, actor: OPERATOR }, merchantId, {
          limit: 20,
          endpoint: endpoint.id,
          event: eventId,
        })
      ).data,
    ).toHaveLength(1);
    expect(
      (await listWebhookDeliveries({ db: database.db, actor: OPERATOR }, other, { limit: 20 })).data,
    ).toEqual([]);
    await expect(
      getWebhookDeliveryOrThrow({ db: database.db, actor: OPERATOR }, other, id),
    ).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(retryWebhookDelivery({ ...deps(), actor: OPERATOR }, other, id)).rejects.toMatchObject({
      code: "not_found",
    });

    answer = 200;
    const retried = await retryWebhookDelivery({ ...deps(), actor: OPERATOR }, merchantId, id);
    expect(retried).toMatchObject({ status: "succeeded", attempt_count: 2, next_attempt_at: null });
    expect(retried.attempts?.map((attempt) => attempt.status_code)).toEqual([500, 200]);
    expect(
      (
        await listEvents({ db: database.db, actor: OPERATOR }, merchantId, {
          limit: 20,
          delivery_success: false,
        })
      ).data,
    ).toEqual([]);
    expect(
      (
        await listEvents({ db: database.db, actor: OPERATOR }, merchantId, {
          limit: 20,
          delivery_success: true,
        })
      ).data,
    ).toHaveLength(1);

    // Succeeded: nothing to retry, and nothing is sent.
    const sentBefore = receiver.received.length;
    await expect(retryWebhookDelivery({ ...deps(), actor: OPERATOR }, merchantId, id)).rejects.toMatchObject({
      code: "invalid_state",
    });
    expect(receiver.received.length).toBe(sentBefore);
    expect(
      await getWebhookDeliveryOrThrow({ db: database.db, actor: OPERATOR }, merchantId, id),
    ).toMatchObject({
      status: "succeeded",
      attempt_count: 2,
    });
  });

  it("logs a test event as one delivery to its endpoint, not as an event of the account", async () => {
    const merchantId = await merchant();
    const endpoint = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
      url: receiver.url,
    });
    const bystander = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
      url: receiver.url,
    });
    answer = 503;
    const tested = await sendTestWebhook({ ...deps(), actor: OPERATOR }, merchantId, endpoint.id);
    expect(tested).toMatchObject({
      succeeded: false,
      status_code: 503,
      delivery_id: expect.stringMatching(/^wd_/),
    });
    const logged = await getWebhookDeliveryOrThrow(
      { db: database.db, actor: OPERATOR },
      merchantId,
      tested.delivery_id,
    );
    expect(logged).toMatchObject({
      event_type: "webhook_endpoint.test",
      endpoint_id: endpoint.id,
      status: "failed",
      next_attempt_at: null,
    });
    expect(logged.attempts?.map((attempt) => attempt.status_code)).toEqual([503]);
    // Only to the tested endpoint, and not an event of the events API.
    expect(await database.db.webhookDelivery.count({ where: { endpointId: bystander.id } })).toBe(0);
    expect((await listEvents({ db: database.db, actor: OPERATOR }, merchantId, { limit: 20 })).data).toEqual(
      [],
    );
    await expect(
      getEventOrThrow({ db: database.db, actor: OPERATOR }, merchantId, tested.event_id),
    ).rejects.toMatchObject({ code: "not_found" });
    // A failed test can be retried by hand.
    answer = 200;
    const retried = await retryWebhookDelivery(
      { ...deps(), actor: OPERATOR },
      merchantId,
      tested.delivery_id,
    );
    expect(retried).toMatchObject({ status: "succeeded", attempt_count: 2 });
    expect(JSON.parse(receiver.received.at(-1)?.body ?? "{}")).toMatchObject({
      id: tested.event_id,
      type: "webhook_endpoint.test",
      data: { object: { id: endpoint.id, object: "webhook_endpoint" } },
    });
  });
});
