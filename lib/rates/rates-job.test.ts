// The rates job as both runners run it (its declared steps), on the repository's rates.yaml: the
// devnet's rates are fixed or pegged, so it fetches nothing and never needs the internet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ratesJob } from "../jobs/jobs";
import { logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("the exchange-rates job", () => {
  it("is declared once with a cadence from rates.yaml and does nothing on the devnet", async () => {
    const chains = [
      testChain({
        tokens: [{ symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 }],
      }),
    ];
    const context = { db: database.db, chains, logger };
    expect(ratesJob.intervalMs(context)).toBe(60_000);
    const result = await ratesJob.run(context);
    expect(result).toEqual({
      chains: {},
      steps: { "refresh-rates": { refreshed: [], failed: [] }, "prune-rate-history": { deleted: 0 } },
    });
    expect(await database.db.exchangeRate.count()).toBe(0);
  });

  it("prunes rate history older than historyDays, always keeping each pair's newest rate", async () => {
    const day = 86_400_000;
    const now = Date.now();
    const rate = (asset: string, daysAgo: number) => ({
      asset,
      currency: "USD",
      rate: "1",
      source: "coinbase",
      asOf: new Date(now - daysAgo * day),
    });
    await database.db.exchangeRate.createMany({
      data: [rate("ETH", 200), rate("ETH", 100), rate("ETH", 1), rate("POL", 300), rate("POL", 120)],
    });
    const context = { db: database.db, chains: [testChain()], logger };
    // rates.yaml keeps 90 days: ETH's two old rates go; POL's newest stays though older than that.
    expect(await ratesJob.run(context)).toMatchObject({ steps: { "prune-rate-history": { deleted: 3 } } });
    const left = await database.db.exchangeRate.findMany({ orderBy: [{ asset: "asc" }, { asOf: "asc" }] });
    expect(left.map((row) => [row.asset, Math.round((now - row.asOf.getTime()) / day)])).toEqual([
      ["ETH", 1],
      ["POL", 120],
    ]);
  });
});
