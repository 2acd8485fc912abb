// The ledger on a real PostgreSQL: concurrent debits under the row lock, never negative, and every
// balance row equal to the sum of its entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { findLedgerMismatches } from "./find-ledger-mismatches";
import { postLedgerEntry } from "./post-ledger-entry";

let database: TestDatabase;
let merchantId: string;
let otherMerchantId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  ({ merchantId } = await createMerchant(database.db, { name: "L", email: "l@example.com", password: "pw" }));
  ({ merchantId: otherMerchantId } = await createMerchant(database.db, {
    name: "M",
    email: "m@example.com",
    password: "pw",
  }));
});
afterAll(() => database.drop());

const USDC = { chain: "local", tokenSymbol: "USDC" } as const;

function post(amount: bigint, type: "adjustment" | "payout" = amount > 0n ? "adjustment" : "payout") {
  return database.db.$transaction((tx) => postLedgerEntry(tx, { merchantId, ...USDC, type, amount }));
}

async function available(id = merchantId) {
  const row = await database.db.balance.findUnique({
    where: { merchantId_chain_tokenSymbol: { merchantId: id, ...USDC } },
  });
  return row ? toBigInt(row.available) : 0n;
}

describe("postLedgerEntry", () => {
  it("credits, records balance_after, and refuses a debit above the balance without changing anything", async () => {
    const credit = await post(10_000_000n);
    expect(credit.balanceAfter).toBe(10_000_000n);
    const debit = await post(-2_500_000n);
    expect(debit.balanceAfter).toBe(7_500_000n);

    const refused = await post(-7_500_001n).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(422);
    expect((refused as AppError).errors?.[0]?.path).toBe("amount");
    expect(await available()).toBe(7_500_000n);
    expect(await database.db.balanceTransaction.count({ where: { merchantId } })).toBe(2);
  });

  it("refuses a debit on a balance that does not exist yet", async () => {
    const refused = await database.db
      .$transaction((tx) =>
        postLedgerEntry(tx, {
          merchantId: otherMerchantId,
          chain: "local",
          tokenSymbol: "ETH",
          type: "payout",
          amount: -1n,
        }),
      )
      .catch((error: unknown) => error);
    expect((refused as AppError).status).toBe(422);
  });

  it("lets 50 concurrent debits race for one balance: exactly what fits succeeds, never negative", async () => {
    // Balance: 7.5 USDC. 50 debits of 0.4 USDC each: 18 fit (7.2), 32 must be refused.
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => post(-400_000n)));
    const succeeded = results.filter((result) => result.status === "fulfilled");
    const refused = results.filter((result) => result.status === "rejected");
    expect(succeeded).toHaveLength(18);
    for (const result of refused) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    expect(await available()).toBe(300_000n);

    // Every successful entry saw a distinct balance_after: they were applied one at a time.
    const entries = await database.db.balanceTransaction.findMany({
      where: { merchantId, type: "payout" },
      select: { balanceAfter: true },
    });
    const afters = entries.map((entry) => toBigInt(entry.balanceAfter));
    expect(new Set(afters.map(String)).size).toBe(afters.length);
    expect(afters.every((after) => after >= 0n)).toBe(true);
  });

  it("rebuilds every balance from its entries and finds them equal", async () => {
    await database.db.$transaction((tx) =>
      postLedgerEntry(tx, { merchantId: otherMerchantId, ...USDC, type: "adjustment", amount: 42n }),
    );
    expect(await findLedgerMismatches(database.db)).toEqual([]);
    expect(await available(otherMerchantId)).toBe(42n);

    // A balance changed behind the ledger's back is found.
    await database.db
      .$executeRaw`UPDATE balances SET available = available + 1 WHERE merchant_id = ${otherMerchantId}`;
    expect(await findLedgerMismatches(database.db)).toEqual([
      { merchantId: otherMerchantId, ...USDC, available: 43n, ledger: 42n },
    ]);
    expect(await findLedgerMismatches(database.db, merchantId)).toEqual([]);
    await database.db
      .$executeRaw`UPDATE balances SET available = available - 1 WHERE merchant_id = ${otherMerchantId}`;
  });
});
