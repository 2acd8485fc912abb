import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TChain } from "../config/chains";
import { createDb } from "../db/client";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { getHealth, ZHealth } from "./get-health";

const chain = (name: string, chainId: number): TChain => ({
  name,
  chainId,
  rpcUrls: ["http://127.0.0.1:8545"],
  confirmations: 2,
  blockTime: 1,
  nativeCurrency: { symbol: "ETH", decimals: 18 },
  explorerUrl: null,
  maxBlockRange: 2000,
  balanceCheckBlocks: 10,
  tokens: [],
});
const chains = [chain("local", 31337), chain("stalled", 5), chain("broken", 6), chain("new", 7)];

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("getHealth", () => {
  it("reports the database up and each chain's recorded head", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
    await database.db.chainCursor.createMany({
      data: [
        {
          chain: "local",
          chainId: 31337,
          headBlock: 120n,
          lastScannedBlock: 117n,
          headUpdatedAt: secondsAgo(1),
        },
        { chain: "stalled", chainId: 5, headBlock: 9_007_199_254_740_993n, headUpdatedAt: secondsAgo(600) },
        {
          chain: "broken",
          chainId: 6,
          headBlock: 10n,
          headUpdatedAt: secondsAgo(20),
          lastError: "fetch failed",
          lastErrorAt: secondsAgo(2),
        },
      ],
    });

    const health = await getHealth({ db: database.db, chains, now });
    expect(ZHealth.parse(health)).toEqual(health);
    expect(health.status).toBe("degraded");
    expect(health.database).toEqual({ status: "up" });
    expect(health.chains.map((c) => [c.name, c.status, c.head_block, c.lag_blocks])).toEqual([
      ["local", "ok", "120", "3"],
      ["stalled", "stale", "9007199254740993", null],
      ["broken", "error", "10", null],
      ["new", "unknown", null, null],
    ]);
    expect(health.chains[2]?.last_error).toBe("fetch failed");
  });

  it("is ok when every chain is fresh", async () => {
    const health = await getHealth({
      db: database.db,
      chains: [chains[0] as TChain],
      now: new Date("2026-11-22T12:00:00Z"),
    });
    expect(health.status).toBe("ok");
  });

  it("reports down when the database cannot be reached", async () => {
    const unreachable = createDb("postgresql://postgres:postgres@127.0.0.1:1/none");
    try {
      const health = await getHealth({ db: unreachable, chains });
      expect(health.status).toBe("down");
      expect(health.database.status).toBe("down");
      expect(health.chains.every((c) => c.status === "unknown")).toBe(true);
    } finally {
      await unreachable.$disconnect();
    }
  });

  it("reports down, not an error, when the database fails after the first query", async () => {
    // A real database that loses what the later queries read (as a restart between them would).
    const broken = await createTestDatabase();
    try {
      await broken.db.$executeRawUnsafe("ALTER TABLE chain_incidents RENAME TO chain_incidents_gone");
      const health = await getHealth({ db: broken.db, chains });
      expect(health.status).toBe("down");
      expect(health.database.status).toBe("down");
    } finally {
      await broken.drop();
    }
  });
});
