import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createWebhookEndpoint } from "./create-webhook-endpoint";
import { updateWebhookEndpoint } from "./manage-webhook-endpoints";
import type { WebhookDeps } from "./webhook-deps";
import { getWebhookEndpointHealth } from "./webhook-endpoint-health";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const NOW = new Date("2026-12-07T12:00:00.000Z");
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function deps(): WebhookDeps {
  return {
    db: database.db,
    encryptionKey: Buffer.alloc(32, 9),
    allowLoopbackTargets: true,
    logger: createLogger({}, { level: "error" }),
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

/** An endpoint whose deliveries got these attempts (status code or null, minutes before NOW), oldest first. */
async function endpointWith(merchantId: string, attempts: [number | null, number][]) {
  const endpoint = await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, {
    url: "http://127.0.0.1:9/hook",
  });
  for (const [index, [statusCode, ago]] of attempts.entries()) {
    // One delivery per attempt, created when it was attempted (the window is by delivery age).
    const eventId = await database.db.$transaction((tx) =>
      recordEvent(tx, {
        merchantId,
        type: "payment.created",
        objectId: `pay_${index}`,
        object: { id: `pay_${index}` },
        createdAt: minutesAgo(ago),
      }),
    );
    const delivery = await database.db.webhookDelivery.findFirstOrThrow({
      where: { eventId, endpointId: endpoint.id },
    });
    await database.db.webhookAttempt.create({
      data: {
        id: newId("wa"),
        deliveryId: delivery.id,
        attemptNumber: 1,
        statusCode,
        durationMs: 5,
        createdAt: minutesAgo(ago),
      },
    });
  }
  return endpoint.id;
}

describe("webhook endpoint health", () => {
  it("is computed from the endpoint's recent attempts: healthy, failing or disabled", async () => {
    const merchantId = await merchant();
    const fresh = await endpointWith(merchantId, []);
    const oneBlip = await endpointWith(merchantId, [
      [200, 30],
      [500, 10],
    ]);
    const threeInARow = await endpointWith(merchantId, [
      [200, 20],
      [500, 15],
      [null, 10],
      [503, 5],
    ]);
    const noSuccessForAnHour = await endpointWith(merchantId, [
      [200, 120],
      [500, 10],
    ]);
    const neverSucceeded = await endpointWith(merchantId, [[404, 1]]);
    const recovered = await endpointWith(merchantId, [
      [500, 40],
      [500, 30],
      [500, 20],
      [204, 10],
    ]);
    const disabled = await endpointWith(merchantId, [[200, 5]]);
    await updateWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, disabled, { status: "disabled" });
    const theirs = await endpointWith(await merchant(), [[500, 1]]);

    const health = await getWebhookEndpointHealth({ db: database.db, now: () => NOW }, merchantId, [
      fresh,
      oneBlip,
      threeInARow,
      noSuccessForAnHour,
      neverSucceeded,
      recovered,
      disabled,
      theirs,
    ]);
    expect(health.get(fresh)).toMatchObject({
      status: "healthy",
      lastAttemptAt: null,
      consecutiveFailures: 0,
    });
    expect(health.get(oneBlip)).toMatchObject({
      status: "healthy",
      lastStatusCode: 500,
      consecutiveFailures: 1,
    });
    expect(health.get(threeInARow)).toMatchObject({
      status: "failing",
      consecutiveFailures: 3,
      lastStatusCode: 503,
      lastSuccessAt: minutesAgo(20),
    });
    expect(health.get(noSuccessForAnHour)).toMatchObject({ status: "failing", consecutiveFailures: 1 });
    expect(health.get(neverSucceeded)).toMatchObject({ status: "failing", lastSuccessAt: null });
    expect(health.get(recovered)).toMatchObject({
      status: "healthy",
      consecutiveFailures: 0,
      lastStatusCode: 204,
    });
    expect(health.get(disabled)).toMatchObject({ status: "disabled" });
    // Another merchant's endpoint is not looked at.
    expect(health.has(theirs)).toBe(false);
  });
});
