// Fair sharing of webhook slots between merchants (issue 16): merchant A's tar-pit endpoints (real
// local HTTP servers that never answer) must not take the slots merchant B's deliveries need.

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import type { Db } from "../db/client";
import { recordEvent } from "../events/record-event";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "./create-webhook-endpoint";
import type { WebhookDeps } from "./webhook-deps";
import { createWebhookDispatcher, type WebhookDispatcher } from "./webhook-dispatcher";

let database: TestDatabase;
let db: Db;
const receivers: WebhookReceiver[] = [];
let dispatcher: WebhookDispatcher | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await dispatcher?.drain();
  await database.drop();
});

const deps: () => WebhookDeps = () => ({
  db,
  encryptionKey: Buffer.alloc(32, 7),
  allowLoopbackTargets: true,
  logger: createLogger({}, { level: "error" }),
  timeoutMs: 60_000,
  retryScheduleMs: [60_000],
});

async function merchantWith(endpoints: WebhookReceiver[]): Promise<string> {
  const suffix = randomBytes(6).toString("hex");
  const { merchantId } = await createMerchant(db, {
    name: `m ${suffix}`,
    email: `m-${suffix}@test.local`,
    password: "password-123",
  });
  for (const endpoint of endpoints)
    await createWebhookEndpoint({ ...deps(), actor: OPERATOR }, merchantId, { url: endpoint.url });
  return merchantId;
}

async function events(merchantId: string, count: number) {
  for (let i = 0; i < count; i++)
    await db.$transaction((tx) =>
      recordEvent(tx, {
        merchantId,
        type: "payment.created",
        objectId: `pay_${i}`,
        object: { id: `pay_${i}` },
      }),
    );
}

describe("webhook slots shared between merchants", () => {
  it("delivers merchant B's events promptly while merchant A's endpoints hang", async () => {
    const tarPits = await Promise.all(Array.from({ length: 4 }, () => startWebhookReceiver(() => "hang")));
    const healthy = await startWebhookReceiver();
    receivers.push(...tarPits, healthy);
    const merchantA = await merchantWith(tarPits);
    const merchantB = await merchantWith([healthy]);
    // A's backlog is older, so a claim by age alone would hand every slot to A first.
    await events(merchantA, 20);
    await events(merchantB, 12);

    dispatcher = createWebhookDispatcher(deps(), { concurrency: 8, perEndpoint: 4, perMerchant: 4 });
    const deadline = Date.now() + 15_000;
    while (healthy.received.length < 12 && Date.now() < deadline) {
      await dispatcher.tick();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(healthy.received).toHaveLength(12);
    // A never held more than its share: 4 of the 8 slots, however many endpoints it has.
    expect(tarPits.reduce((sum, pit) => sum + pit.received.length, 0)).toBe(4);
    await Promise.all(tarPits.map((pit) => pit.close()));
  });
});
