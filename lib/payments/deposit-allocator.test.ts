// Deposit indexes handed out from per-instance blocks: never twice, across instances, concurrent
// creates and transaction clients; the merchant's row written once per block; a setting changed
// just before a create applies to it; a key revoked after it was checked writes nothing.

import type { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyActor, OPERATOR } from "../access/actor";
import { createApiKey, revokeApiKey } from "../api-keys/create-api-key";
import { createDb, type Db } from "../db/client";
import { rawPool } from "../db/raw-pool";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase, until } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { derivationCounts, useDerivationWorker } from "../wallet/address-deriver";
import { depositAddress } from "../wallet/derivation";
import { createPayment } from "./create-payment";
import { BLOCK_SIZE, DepositAllocator, MAX_UNUSED, REFILL_AT } from "./deposit-allocator";

let database: TestDatabase;
let second: Db;
const chains = [testChain()];
const BASE_URL = "http://localhost:3000";

beforeAll(async () => {
  database = await createTestDatabase();
  second = createDb(database.databaseUrl, { maxConnections: 5 });
});
afterAll(async () => {
  await second?.$disconnect();
  await database?.drop();
});

async function newMerchant() {
  const merchant = await createMerchant(database.db, {
    name: "Allocator",
    email: `allocator-${Math.random()}@example.test`,
    password: "password-not-secret",
  });
  return merchant.merchantId;
}

const create = (db: Db, merchantId: string, extra: { expires_in?: number } = {}) =>
  createPayment({ db, actor: OPERATOR, chains, baseUrl: BASE_URL }, merchantId, {
    chain: "local",
    amount: "0.01",
    ...extra,
  });

async function storedPayments(merchantId: string) {
  return database.db.payment.findMany({
    where: { merchantId },
    select: { id: true, derivationIndex: true, depositAddress: true },
  });
}

describe("deposit index allocation", () => {
  it("never hands out an index twice: two instances, concurrent creates, a transaction client", async () => {
    const merchantId = await newMerchant();
    const { depositXpub } = await database.db.merchant.findUniqueOrThrow({ where: { id: merchantId } });
    const created = await Promise.all([
      ...Array.from({ length: 120 }, (_, i) => create(i % 2 ? database.db : second, merchantId)),
      // An Idempotency-Key request allocates inside its transaction, beside the blocks.
      ...Array.from({ length: 5 }, () =>
        database.db.$transaction((tx) => create(tx as unknown as Db, merchantId), { timeout: 30_000 }),
      ),
    ]);
    const rows = await storedPayments(merchantId);
    expect(rows).toHaveLength(125);
    expect(new Set(rows.map((row) => row.derivationIndex)).size).toBe(125);
    expect(new Set(rows.map((row) => row.depositAddress)).size).toBe(125);
    expect(new Set(created.map((payment) => payment.address)).size).toBe(125);
    for (const row of rows) expect(row.depositAddress).toBe(depositAddress(depositXpub, row.derivationIndex));
  });

  it("derives a reserved block's addresses on the worker thread: the same addresses, none twice", async () => {
    useDerivationWorker(true);
    try {
      const merchantId = await newMerchant();
      const { depositXpub } = await database.db.merchant.findUniqueOrThrow({ where: { id: merchantId } });
      const before = derivationCounts();
      const created = await Promise.all(
        Array.from({ length: 2 * BLOCK_SIZE + 5 }, (_, i) =>
          create(i % 3 ? database.db : second, merchantId),
        ),
      );
      const after = derivationCounts();
      // Nothing derived on this thread for the blocks; the worker derived every address handed out.
      expect(after.onCaller).toBe(before.onCaller);
      expect(after.onWorker - before.onWorker).toBeGreaterThanOrEqual(created.length);
      const rows = await storedPayments(merchantId);
      expect(new Set(rows.map((row) => row.depositAddress)).size).toBe(created.length);
      for (const row of rows)
        expect(row.depositAddress).toBe(depositAddress(depositXpub, row.derivationIndex));
    } finally {
      useDerivationWorker(false);
    }
  });

  it("writes the merchant's row once per block, not once per payment", async () => {
    const merchantId = await newMerchant();
    for (let i = 0; i < BLOCK_SIZE + 1; i++) await create(database.db, merchantId);
    const merchant = await database.db.merchant.findUniqueOrThrow({ where: { id: merchantId } });
    // Two blocks reserved for BLOCK_SIZE + 1 payments (the second ahead, before the first ran out);
    // the indexes are dense on one instance.
    expect(merchant.nextDepositIndex).toBe(2 * BLOCK_SIZE);
    const indexes = (await storedPayments(merchantId))
      .map((row) => row.derivationIndex)
      .sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: BLOCK_SIZE + 1 }, (_, i) => i));
  });

  it("reserves the next block before the current one runs out, never holding more than MAX_UNUSED (< 20) unused indexes", async () => {
    // What a stopped instance leaves unused is a gap in the merchant's addresses: it must stay below
    // the usual wallet gap limit of 20, or a wallet restored from the xpub could miss a deposit.
    expect(MAX_UNUSED).toBeLessThan(20);
    const merchantId = await newMerchant();
    const instance = createDb(database.databaseUrl, { maxConnections: 2 });
    const reserved = async () =>
      (await database.db.merchant.findUniqueOrThrow({ where: { id: merchantId } })).nextDepositIndex;
    try {
      for (let used = 1; used <= 3 * BLOCK_SIZE; used++) {
        await create(instance, merchantId);
        expect((await reserved()) - used).toBeLessThanOrEqual(MAX_UNUSED);
        // REFILL_AT indexes left: the next block is reserved now, while this one still serves.
        if (used % BLOCK_SIZE === BLOCK_SIZE - REFILL_AT) {
          const ahead = (Math.floor(used / BLOCK_SIZE) + 2) * BLOCK_SIZE;
          await until(async () => (await reserved()) === ahead);
          expect((await reserved()) - used).toBeLessThanOrEqual(MAX_UNUSED);
        }
      }
      const indexes = (await storedPayments(merchantId))
        .map((row) => row.derivationIndex)
        .sort((a, b) => a - b);
      expect(indexes).toEqual(Array.from({ length: 3 * BLOCK_SIZE }, (_, i) => i));
    } finally {
      await instance.$disconnect();
    }
  });

  it("survives a reservation ahead that fails: the create that needs the block reserves it, no index twice", async () => {
    const merchantId = await newMerchant();
    const pool = await rawPool(database.db);
    if (!pool) throw new Error("no raw pool");
    // The app's pool, with its next reservation failing as a dropped connection would.
    let failNextReservation = false;
    const flaky = {
      query: (...args: Parameters<Pool["query"]>) => {
        if (failNextReservation && String(args[0]).startsWith("UPDATE merchants")) {
          failNextReservation = false;
          return Promise.reject(new Error("Connection terminated unexpectedly"));
        }
        return (pool.query as (...a: unknown[]) => unknown)(...args);
      },
    } as unknown as Pool;
    const allocator = new DepositAllocator(flaky);
    const first = await allocator.allocate(merchantId);
    failNextReservation = true;
    // The rest of the block and the next one, 20 at once: the reservation ahead fails on the way.
    const rest = await Promise.all(
      Array.from({ length: BLOCK_SIZE * 2 - 1 }, () => allocator.allocate(merchantId)),
    );
    expect(failNextReservation).toBe(false);
    const indexes = [first, ...rest].map((allocated) => allocated.index);
    expect(new Set(indexes).size).toBe(BLOCK_SIZE * 2);
    expect(new Set([first, ...rest].map((allocated) => allocated.address)).size).toBe(BLOCK_SIZE * 2);
    const { depositXpub, nextDepositIndex } = await database.db.merchant.findUniqueOrThrow({
      where: { id: merchantId },
    });
    for (const allocated of [first, ...rest])
      expect(allocated.address).toBe(depositAddress(depositXpub, allocated.index));
    // Nothing reserved twice either: every index handed out lies below what the row has reserved.
    expect(Math.max(...indexes)).toBeLessThan(nextDepositIndex);
    expect(nextDepositIndex - indexes.length).toBeLessThanOrEqual(MAX_UNUSED);
  });

  it("applies a default expiry changed just before the create (the block's copy is out of date)", async () => {
    const merchantId = await newMerchant();
    await create(database.db, merchantId); // reserves the block with the default 1800 s
    await database.db.merchant.update({ where: { id: merchantId }, data: { defaultExpirySeconds: 600 } });
    const payment = await create(database.db, merchantId);
    expect(Date.parse(payment.expires_at) - Date.parse(payment.created_at)).toBe(600_000);
    const stored = await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(stored.expiresAt.toISOString()).toBe(payment.expires_at);
    const event = await database.db.event.findFirstOrThrow({ where: { objectId: payment.id } });
    expect((event.data as { expires_at: string }).expires_at).toBe(payment.expires_at);
    // An explicit expires_in wins.
    const explicit = await create(database.db, merchantId, { expires_in: 120 });
    expect(Date.parse(explicit.expires_at) - Date.parse(explicit.created_at)).toBe(120_000);
  });

  it("writes nothing for a key revoked after the request was authenticated (401)", async () => {
    const merchantId = await newMerchant();
    const key = await createApiKey(
      { db: database.db, actor: OPERATOR },
      { merchantId, name: "soon revoked" },
    );
    const actor = apiKeyActor({ merchantId, apiKeyId: key.id, permissions: key.permissions });
    const deps = { db: database.db, actor, chains, baseUrl: BASE_URL };
    await createPayment(deps, merchantId, { chain: "local", amount: "0.01" });
    await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId, id: key.id });
    await expect(createPayment(deps, merchantId, { chain: "local", amount: "0.01" })).rejects.toMatchObject({
      code: "unauthorized",
    });
    expect(await storedPayments(merchantId)).toHaveLength(1);
  });
});
