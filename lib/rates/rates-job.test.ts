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
    expect(result).toEqual({ chains: {}, steps: { "refresh-rates": { refreshed: [], failed: [] } } });
    expect(await database.db.exchangeRate.count()).toBe(0);
  });
});
