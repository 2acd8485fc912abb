// Three job runners (as in three processes: each with its own database pool) drive the chain scan
// of one database and one devnet at once: every payment is detected, confirmed and announced once.
import { parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { createDb, type Db } from "../db/client";
import { createLogger } from "../logger";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { type EmbeddedRunner, startEmbeddedRunner } from "./embedded-runner";
import { chainScanJob, sweepJob } from "./jobs";

let database: TestDatabase;
let fx: ScannerFixture;
const runners: EmbeddedRunner[] = [];
const pools: Db[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
});
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  await Promise.all(pools.map((pool) => pool.$disconnect()));
  await fx?.testClient.setIntervalMining({ interval: 0 });
  await fx?.stop();
  await database?.drop();
});

describe("chain-scan in three runners at once", () => {
  it("detects, confirms and announces each payment exactly once", { timeout: 120_000 }, async () => {
    const logger = createLogger({}, { level: "error", write: () => {} });
    await setTreasurySetting(
      { actor: OPERATOR, db: database.db, chains: [fx.chain] },
      fx.merchant.merchantId,
      { chain: "local", address: privateKeyToAddress(generatePrivateKey()) },
    );
    for (let index = 0; index < 3; index++) {
      const db = createDb(database.databaseUrl, { maxConnections: 3 });
      pools.push(db);
      runners.push(
        startEmbeddedRunner({
          jobs: [chainScanJob, sweepJob],
          context: { db, chains: [fx.chain], logger },
          logger,
        }),
      );
    }
    await fx.testClient.setIntervalMining({ interval: 1 });
    const payments: Awaited<ReturnType<ScannerFixture["createPayment"]>>[] = [];
    for (let index = 0; index < 4; index++) payments.push(await fx.createPayment({ amount: "0.01" }));
    for (const payment of payments) await fx.sendEth(payment.address, parseEther("0.01"));
    await expect
      .poll(async () => Promise.all(payments.map(async (payment) => (await fx.payment(payment.id)).status)), {
        timeout: 60_000,
      })
      .toEqual(payments.map(() => "settled"));
    // A few more blocks: later scans must not take anything back.
    await new Promise((resolveWait) => setTimeout(resolveWait, 5_000));
    for (const payment of payments)
      expect(await fx.eventTypes(payment.id)).toEqual([
        "payment.created",
        "payment.detected",
        "payment.confirmed",
        "payment.settled",
      ]);
  });
});
