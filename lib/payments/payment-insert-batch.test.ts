// The creates of one turn of the event loop share one insert statement on the pool (group commit:
// lib/db/statement-batcher.ts): each payment gets its own timeline entry and event, a revoked key's
// create in the batch writes nothing and answers 401, and one payment that fails fails alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyActor, OPERATOR } from "../access/actor";
import { createApiKey, revokeApiKey } from "../api-keys/create-api-key";
import { createMerchant } from "../merchants/create-merchant";
import { countStatements } from "../testing/count-statements";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { depositAddress } from "../wallet/derivation";
import { allocateDepositIndex, createPayment, insertPayment, newPaymentRow } from "./create-payment";
import { asCoinPayment, serializePayment } from "./payment-object";

let database: TestDatabase;
const chain = testChain();
const BASE_URL = "http://localhost:3000";

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

async function newMerchant() {
  const merchant = await createMerchant(database.db, {
    name: "Batch",
    email: `batch-${Math.random()}@example.test`,
    password: "password-not-secret",
  });
  return merchant.merchantId;
}

/** The payment insert statements the pool sends while `work` runs. */
const countingInserts = <T>(work: () => Promise<T>) =>
  countStatements(database.db, "INSERT INTO payments", work);

const create = (merchantId: string, actor = OPERATOR, amount = "0.01") =>
  createPayment({ db: database.db, actor, chains: [chain], baseUrl: BASE_URL }, merchantId, {
    chain: "local",
    amount,
  });

describe("payment inserts batched per turn", () => {
  it("writes the creates of one turn with one statement: each payment, its timeline entry and its event", async () => {
    const merchantId = await newMerchant();
    await create(merchantId);
    const amounts = ["1", "2", "3", "4"];
    const { result: payments, statements } = await countingInserts(() =>
      Promise.all(amounts.map((amount) => create(merchantId, OPERATOR, amount))),
    );
    expect(statements).toBe(1);
    expect(payments.map((payment) => payment.amount)).toEqual(amounts);
    for (const payment of payments) {
      const stored = await database.db.payment.findUniqueOrThrow({
        where: { id: payment.id },
        include: { statusChanges: true },
      });
      expect(stored.amount.toFixed()).toBe(`${payment.amount}000000000000000000`);
      expect(stored.expiresAt.toISOString()).toBe(payment.expires_at);
      expect(stored.statusChanges.map((change) => [change.fromStatus, change.toStatus])).toEqual([
        [null, "pending"],
      ]);
      const events = await database.db.event.findMany({ where: { objectId: payment.id } });
      expect(events.map((event) => [event.type, event.merchantId])).toEqual([
        ["payment.created", merchantId],
      ]);
      expect(events[0]?.data).toEqual(payment);
    }
  });

  it("keeps each payment of a batch shared by two merchants their own: row, deposit address, event", async () => {
    const merchants = [await newMerchant(), await newMerchant()];
    for (const merchantId of merchants) await create(merchantId);
    const callers = Array.from({ length: 20 }, (_, i) => merchants[i % 2] ?? "");
    const { result: payments, statements } = await countingInserts(() =>
      Promise.all(callers.map((merchantId) => create(merchantId))),
    );
    // Shared statements (each merchant's 10th create waits for its next block of indexes, so a later one).
    expect(statements).toBeLessThanOrEqual(3);
    for (const [index, payment] of payments.entries()) {
      const merchantId = callers[index];
      const { depositXpub } = await database.db.merchant.findUniqueOrThrow({ where: { id: merchantId } });
      const stored = await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } });
      expect(stored.merchantId).toBe(merchantId);
      expect(stored.depositAddress).toBe(depositAddress(depositXpub, stored.derivationIndex));
      expect(payment.address).toBe(stored.depositAddress);
      const event = await database.db.event.findFirstOrThrow({ where: { objectId: payment.id } });
      expect(event.merchantId).toBe(merchantId);
    }
    expect(new Set(payments.map((payment) => payment.address)).size).toBe(20);
  });

  it("refuses the create of a key revoked meanwhile (401, nothing written) and writes the rest of its statement", async () => {
    const merchantId = await newMerchant();
    const keys = await Promise.all(
      ["kept", "revoked"].map((name) =>
        createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name }),
      ),
    );
    const [kept, revoked] = keys.map((key) =>
      apiKeyActor({ merchantId, apiKeyId: key.id, permissions: key.permissions }),
    );
    if (!kept || !revoked) throw new Error("no keys");
    await create(merchantId, kept);
    await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId, id: keys[1]?.id ?? "" });
    const { result, statements } = await countingInserts(() =>
      Promise.allSettled([create(merchantId, kept), create(merchantId, revoked), create(merchantId, kept)]),
    );
    expect(statements).toBe(1);
    expect(result.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(result[1]).toMatchObject({ reason: { code: "unauthorized" } });
    expect(await database.db.payment.count({ where: { merchantId } })).toBe(3);
    expect(await database.db.event.count({ where: { merchantId, type: "payment.created" } })).toBe(3);
  });

  it("fails one payment of a batch alone (its id taken): the others of its turn are written", async () => {
    const merchantId = await newMerchant();
    const existing = await create(merchantId);
    const { result, statements } = await countingInserts(() =>
      Promise.allSettled([insert(merchantId), insert(merchantId, { id: existing.id }), insert(merchantId)]),
    );
    // The batch, then each of its three alone.
    expect(statements).toBe(4);
    expect(result.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const written = result.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    expect(await database.db.payment.count({ where: { id: { in: written } } })).toBe(2);
    expect(await database.db.event.count({ where: { objectId: { in: written } } })).toBe(2);
    // The payment whose id was taken is untouched, with its one event.
    expect(await database.db.event.count({ where: { objectId: existing.id } })).toBe(1);
    expect(
      (await database.db.payment.findUniqueOrThrow({ where: { id: existing.id } })).amount.toFixed(),
    ).toBe("10000000000000000");
  });

  it("gives each fiat-priced payment of a batch its own options", async () => {
    const merchantId = await newMerchant();
    await create(merchantId);
    const prices = [100n, 2500n, 40n];
    const { result: ids, statements } = await countingInserts(() =>
      Promise.all(prices.map((minor) => insert(merchantId, { fiat: minor }))),
    );
    expect(statements).toBe(1);
    for (const [index, id] of ids.entries()) {
      const minor = prices[index] ?? 0n;
      const options = await database.db.paymentOption.findMany({
        where: { paymentId: id },
        orderBy: { position: "asc" },
      });
      expect(options.map((option) => [option.position, option.tokenSymbol, option.amount.toFixed()])).toEqual(
        [
          [0, "ETH", (minor * 10n ** 14n).toString()],
          [1, "USDC", (minor * 10n ** 4n).toString()],
        ],
      );
      const stored = await database.db.payment.findUniqueOrThrow({ where: { id } });
      expect([stored.priceAmount?.toFixed(), stored.priceCurrency, stored.valueReceived?.toFixed()]).toEqual([
        minor.toString(),
        "USD",
        "0",
      ]);
    }
  });
});

/**
 * Inserts a payment of 5 wei (or priced at `fiat` US cents, payable in ETH at 100 USD or USDC at 1)
 * as the create route does, with `id` instead of a new one.
 */
async function insert(merchantId: string, options: { id?: string; fiat?: bigint } = {}): Promise<string> {
  const now = new Date();
  const allocated = await allocateDepositIndex(database.db, merchantId);
  const token = { symbol: "ETH", address: null, decimals: 18 };
  const row = newPaymentRow({ chain, token, amount: 5n, allocated, input: {}, now });
  const object = asCoinPayment(serializePayment({ ...row, id: options.id ?? row.id }, BASE_URL));
  const coin = { chain: chain.name, chainId: chain.chainId, rateSource: "test", quoteExpiresAt: now };
  const minor = options.fiat;
  await insertPayment(database.db, {
    merchantId,
    allocated,
    row,
    object,
    amount: 5n,
    now,
    actor: OPERATOR,
    expiresIn: null,
    ...(minor === undefined
      ? {}
      : {
          fiat: {
            priceAmount: minor,
            currency: "USD",
            toleranceBps: 0,
            options: [
              {
                ...coin,
                tokenSymbol: "ETH",
                tokenAddress: null,
                tokenDecimals: 18,
                amount: minor * 10n ** 14n,
                rate: "100",
              },
              {
                ...coin,
                tokenSymbol: "USDC",
                tokenAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                tokenDecimals: 6,
                amount: minor * 10n ** 4n,
                rate: "1",
              },
            ],
          },
        }),
  });
  return object.id;
}
