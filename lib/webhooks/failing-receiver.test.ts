// Webhook receivers failing half the time at random (seeded: 500, 503, 429, a dropped connection or
// no answer until the attempt times out): every event is still delivered to every endpoint (at least
// once; a duplicate only ever carries the same webhook-id), every request the receivers saw verifies
// with its endpoint's secret (Standard Webhooks, the reference library), and every attempt is
// recorded. A 2xx reaching the sender after its timeout (a loaded machine) is a failed attempt and
// a duplicate delivery: allowed, with the same webhook-id. WEBHOOK_CHAOS_SEED replays a run; WEBHOOK_CHAOS_EVENTS sets the number of events.

import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { recordEvent } from "../events/record-event";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { prng, seedFrom } from "../testing/prng";
import { type ReceiverReply, startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "./create-webhook-endpoint";
import type { WebhookDeps } from "./webhook-deps";
import { createWebhookDispatcher } from "./webhook-dispatcher";

const SEED = seedFrom("WEBHOOK_CHAOS_SEED");
const EVENTS = Number(process.env.WEBHOOK_CHAOS_EVENTS ?? 60);
/** Retries 40 ms apart: a delivery failing 30 times in a row at 50 % (one in a billion) would fail. */
const RETRIES = 30;

let database: TestDatabase;
const receivers: WebhookReceiver[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await database?.drop();
});

describe("webhook receivers failing 50 % at random", () => {
  it(`${EVENTS} events to two endpoints are all delivered, signed and recorded (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const failures: ReceiverReply[] = [500, 503, 429, "reset", "hang"];
    /** What each receiver answered, per webhook-id. */
    const answers = new Map<string, ReceiverReply[]>();
    const chaos = (label: string) => (request: { headers: Record<string, string> }) => {
      const answer: ReceiverReply = random() < 0.5 ? 200 : (failures[Math.floor(random() * 5)] ?? 500);
      const key = `${label} ${request.headers["webhook-id"]}`;
      answers.set(key, [...(answers.get(key) ?? []), answer]);
      return answer;
    };
    const deps: WebhookDeps = {
      db: database.db,
      encryptionKey: randomBytes(32),
      allowLoopbackTargets: true,
      logger: createLogger({}, { level: "error" }),
      timeoutMs: 500,
      retryScheduleMs: Array.from({ length: RETRIES }, () => 40),
    };
    const { merchantId } = await createMerchant(database.db, {
      name: "Chaos shop",
      email: `chaos-${SEED}@example.com`,
      password: "correct horse battery",
    });
    const endpoints = [];
    for (let i = 0; i < 2; i++) {
      const label = `endpoint ${i}`;
      const receiver = await startWebhookReceiver(chaos(label));
      receivers.push(receiver);
      const endpoint = await createWebhookEndpoint({ ...deps, actor: OPERATOR }, merchantId, {
        url: receiver.url,
        enabled_events: [],
      });
      endpoints.push({ ...endpoint, label, receiver, verifier: new Webhook(endpoint.secret) });
    }

    const eventIds: string[] = [];
    const types = ["payment.created", "payment.detected", "payment.confirmed"] as const;
    for (let i = 0; i < EVENTS; i++) {
      const eventId = await database.db.$transaction((tx) =>
        recordEvent(tx, {
          merchantId,
          type: types[i % types.length] ?? "payment.created",
          objectId: `pay_chaos${i}`,
          object: { id: `pay_chaos${i}`, object: "payment", amount: `${i}.5` },
        }),
      );
      eventIds.push(eventId);
    }

    const dispatcher = createWebhookDispatcher(deps, { concurrency: 32, perEndpoint: 8 });
    const deadline = Date.now() + 120_000;
    const open = () => database.db.webhookDelivery.count({ where: { status: { not: "succeeded" } } });
    while ((await open()) > 0) {
      expect(await database.db.webhookDelivery.count({ where: { status: "failed" } })).toBe(0);
      if (Date.now() > deadline) throw new Error(`deliveries still open after 120 s, seed ${SEED}`);
      await dispatcher.tick();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await dispatcher.drain();

    const deliveries = await database.db.webhookDelivery.findMany({
      include: { attempts: { orderBy: { attemptNumber: "asc" } } },
    });
    expect(deliveries).toHaveLength(EVENTS * endpoints.length);
    let requests = 0;
    let failed = 0;
    let duplicates = 0;
    for (const endpoint of endpoints) {
      const received = endpoint.receiver.received;
      requests += received.length;
      // Every request (answered or not) is signed with this endpoint's secret over its exact body.
      const ids = received.map((request) => {
        const payload = endpoint.verifier.verify(request.body, request.headers) as { id: string };
        expect(request.headers["webhook-id"]).toBe(payload.id);
        return payload.id;
      });
      // At least once: each event reached the receiver; redeliveries carry the same webhook-id.
      expect(new Set(ids), `seed ${SEED}`).toEqual(new Set(eventIds));
      for (const eventId of eventIds) {
        const delivery = deliveries.find((row) => row.eventId === eventId && row.endpointId === endpoint.id);
        // Every attempt is recorded, numbered, the last one the 2xx; an attempt with a status is an
        // answer the receiver gave (a timeout or reset may end before the receiver saw the request).
        const given = answers.get(`${endpoint.label} ${eventId}`) ?? [];
        const attempts = delivery?.attempts ?? [];
        expect(attempts.length, `${eventId}, seed ${SEED}`).toBeGreaterThanOrEqual(given.length);
        expect(delivery?.attemptCount).toBe(attempts.length);
        expect(attempts.map((attempt) => attempt.attemptNumber)).toEqual(
          Array.from({ length: attempts.length }, (_, index) => index + 1),
        );
        expect(attempts.at(-1)?.statusCode, `${eventId}, seed ${SEED}`).toBe(200);
        expect(given).toContain(200);
        duplicates += given.filter((answer) => answer === 200).length - 1;
        for (const attempt of attempts.slice(0, -1)) {
          if (attempt.statusCode === null) expect(attempt.error).toBeTruthy();
          else expect(given).toContain(attempt.statusCode);
          expect(attempt.statusCode === null || attempt.statusCode >= 300).toBe(true);
          failed++;
        }
      }
    }
    console.info(
      `webhook chaos seed ${SEED}: ${EVENTS} events × ${endpoints.length} endpoints, ` +
        `${requests} requests, ${failed} failed attempts (${Math.round((100 * failed) / requests)} %), ` +
        `${duplicates} duplicate 2xx deliveries`,
    );
    expect(failed).toBeGreaterThan(requests / 4);
  });
});
