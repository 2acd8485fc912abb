// The checkout poll's row cache against the real database, with two app instances (two clients, each
// with its own cache and LISTEN connection): a change of the payment, of its quote options or of the
// merchant's branding reaches both within 1 s; "silent" changes (triggers off, so no NOTIFY) show
// whether an answer came from the cache; a dropped LISTEN connection flushes the cache and bypasses
// it; a load that races a change is not kept; and only the poll (cached: true) uses it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import type { Db } from "../db/client";
import {
  API_KEY_CHANNELS,
  CHECKOUT_CHANNELS,
  cacheBackingOf,
  type InvalidationListener,
  invalidationListenerOf,
} from "../db/invalidation";
import { NotifiedCache } from "../db/notified-cache";
import { perClientIfSet } from "../db/per-client";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import {
  closeAppInstances,
  createAppInstances,
  createTestDatabase,
  queryDatabase,
  querySilently,
  type TestDatabase,
  until,
} from "../testing/database";
import { testChain } from "../testing/test-chain";
import { readCheckoutRow } from "./checkout-row";
import { getCheckoutOrThrow } from "./get-checkout";

let database: TestDatabase;
let instances: Db[];
let merchantId: string;
const USDC = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const chains = () => [testChain({ tokens: [{ symbol: "USDC", address: USDC, decimals: 6 }] })];

beforeAll(async () => {
  database = await createTestDatabase();
  instances = createAppInstances(database.databaseUrl);
  ({ merchantId } = await createMerchant(
    database.db,
    { name: "Poll Shop", email: "poll@example.com", password: "correct horse battery" },
    DEVELOPMENT_MNEMONIC,
  ));
});
afterAll(async () => {
  await closeAppInstances(instances);
  await database?.drop();
});

const create = () =>
  createPayment(
    { actor: OPERATOR, db: database.db, chains: chains(), baseUrl: "http://pay.test" },
    merchantId,
    { chain: "local", token: "USDC", amount: "5" },
  );
const poll = (db: Db, id: string) => getCheckoutOrThrow(db, chains(), id, { cached: true });
const listenerOf = (db: Db) => invalidationListenerOf(db, CHECKOUT_CHANNELS);

const silently = (sql: string, values: unknown[]) => querySilently(database.databaseUrl, sql, values);

/** Polls `id` on every instance until each serves it from its cache (LISTEN established first). */
async function warm(id: string) {
  for (const instance of instances) await poll(instance, id);
  await until(() => instances.every((instance) => listenerOf(instance)?.live === true));
  for (const instance of instances) await poll(instance, id);
}

describe("checkout row cache", () => {
  it("serves the poll from the cache, and a payment change reaches both instances within 1 s", async () => {
    const payment = await create();
    await warm(payment.id);
    await silently("UPDATE payments SET description = 'silent' WHERE id = $1", [payment.id]);
    for (const instance of instances) expect((await poll(instance, payment.id)).description).toBeNull();
    // Without `cached` (a page's first paint, every other caller) the database answers.
    expect((await getCheckoutOrThrow(instances[0] as Db, chains(), payment.id)).description).toBe("silent");

    // What the watcher does when funds arrive: an ordinary UPDATE, so the trigger notifies.
    await database.db.payment.update({
      where: { id: payment.id },
      data: { status: "detected", amountReceived: "5000000" },
    });
    const waited = await until(async () => {
      const seen = await Promise.all(instances.map((instance) => poll(instance, payment.id)));
      return seen.every((checkout) => checkout.status === "detected" && checkout.amount_received === "5");
    });
    expect(waited).toBeLessThan(1_000);
  });

  it("drops a row when its quote options or the merchant's branding change", async () => {
    const payment = await create();
    await warm(payment.id);
    // A quote option appears: the row's re-quote time comes from the options.
    await silently("UPDATE payments SET description = 'with option' WHERE id = $1", [payment.id]);
    await queryDatabase(
      database.databaseUrl,
      `INSERT INTO payment_options (payment_id, position, chain, chain_id, token_symbol, token_address,
         token_decimals, amount, rate, rate_source, quote_expires_at)
       SELECT id, 0, chain, chain_id, token_symbol, token_address, token_decimals, amount, '1', 'test',
         now() + interval '10 minutes' FROM payments WHERE id = '${payment.id}'`,
    );
    await until(async () => {
      const rows = await Promise.all(
        instances.map((instance) => readCheckoutRow(instance, payment.id, { cached: true })),
      );
      return rows.every((row) => row?.description === "with option" && row.quotesExpireAt !== null);
    });

    await database.db.merchant.update({ where: { id: merchantId }, data: { name: "Renamed Shop" } });
    await until(async () => {
      const seen = await Promise.all(instances.map((instance) => poll(instance, payment.id)));
      return seen.every((checkout) => checkout.merchant.name === "Renamed Shop");
    });
  });

  it("flushes and bypasses the cache while LISTEN is down, and caches again once it is back", async () => {
    const payment = await create();
    const [instance] = instances as [Db];
    await warm(payment.id);
    const listener = listenerOf(instance) as InvalidationListener;
    const pid = listener.backendPid;
    await queryDatabase(database.databaseUrl, `SELECT pg_terminate_backend(${Number(pid)})`);
    await until(() => listener.live === false || listener.backendPid !== pid);
    // Changes made while nobody listens are seen: the cache was flushed and is bypassed.
    await silently("UPDATE payments SET description = 'while down' WHERE id = $1", [payment.id]);
    await until(async () => (await poll(instance, payment.id)).description === "while down");
    await until(() => listener.live && listener.backendPid !== pid);
    await poll(instance, payment.id);
    await silently("UPDATE payments SET description = 'after' WHERE id = $1", [payment.id]);
    expect((await poll(instance, payment.id)).description).toBe("while down");
  });

  it("does not keep a row whose load raced a change", async () => {
    const payment = await create();
    const [instance] = instances as [Db];
    await warm(payment.id);
    const listener = listenerOf(instance) as InvalidationListener;
    const cache = new NotifiedCache<{ description: string | null }>(listener, {
      keyedBy: ["ctrip_payments"],
    });
    const read = async () =>
      (
        await database.db.payment.findUniqueOrThrow({
          where: { id: payment.id },
          select: { description: true },
        })
      ).description;
    // The load reads the old row, then the payment changes (and its notification arrives) before
    // the load returns: what it read must not be kept.
    const generation = listener.generation;
    const raced = await cache.get(payment.id, async () => {
      const description = await read();
      await database.db.payment.update({ where: { id: payment.id }, data: { description: "raced" } });
      await until(() => listener.generation !== generation);
      return { description };
    });
    expect(raced?.description).toBeNull();
    expect(cache.size).toBe(0);
    const fresh = await cache.get(payment.id, async () => ({ description: await read() }));
    expect(fresh?.description).toBe("raced");
    expect(cache.size).toBe(1);
  });

  it("listens on a connection of its own: payment changes never queue in front of a key's revocation", async () => {
    const payment = await create();
    const [instance] = instances as [Db];
    await warm(payment.id);
    const checkoutListener = listenerOf(instance) as InvalidationListener;
    const keys = (await cacheBackingOf(instance, API_KEY_CHANNELS))?.listener as InvalidationListener;
    keys.subscribe({ invalidate: () => undefined, reset: () => undefined });
    await until(() => keys.live);
    expect(keys.backendPid).not.toBe(checkoutListener.backendPid);
    const [keysBefore, checkoutBefore] = [keys.generation, checkoutListener.generation];
    for (let i = 0; i < 20; i++)
      await database.db.payment.update({ where: { id: payment.id }, data: { description: `burst ${i}` } });
    await until(() => checkoutListener.generation >= checkoutBefore + 20);
    expect(keys.generation).toBe(keysBefore);
  });

  it("never caches an unknown id: twenty concurrent polls are twenty 404s and leave nothing behind", async () => {
    const [instance] = instances as [Db];
    const payment = await create();
    await warm(payment.id);
    const cache = perClientIfSet<NotifiedCache<unknown>>(instance, "checkoutRowCache");
    const before = cache?.size;
    const unknown = "pay_0000000000000000000001";
    const answers = await Promise.allSettled(Array.from({ length: 20 }, () => poll(instance, unknown)));
    expect(
      answers.every((a) => a.status === "rejected" && (a.reason as { status?: number }).status === 404),
    ).toBe(true);
    expect(cache?.size).toBe(before);
  });
});
