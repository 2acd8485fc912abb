import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { type EmbeddedRunner, startEmbeddedRunner } from "./embedded-runner";
import { chainScanJob } from "./jobs";

let database: TestDatabase;
let fx: ScannerFixture;
let runner: EmbeddedRunner | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
});
afterAll(async () => {
  await runner?.stop();
  await fx?.testClient.setIntervalMining({ interval: 0 });
  await fx?.stop();
  await database?.drop();
});

describe("chain-scan job on the embedded runner", () => {
  it("moves a native payment pending → detected → confirmed on its own as blocks are mined", async () => {
    const logger = createLogger({}, { level: "error", write: () => {} });
    runner = startEmbeddedRunner({
      jobs: [chainScanJob],
      context: { db: database.db, chains: [fx.chain], logger },
      logger,
    });
    await expect
      .poll(
        async () =>
          (await database.db.chainCursor.findUnique({ where: { chain: "local" } }))?.lastScannedBlock,
        {
          timeout: 20_000,
        },
      )
      .not.toBeNull();

    const payment = await fx.createPayment({ amount: "0.25" });
    await fx.sendEth(payment.address, parseEther("0.25"));
    // One block a second from now on, as on the embedded devnet.
    await fx.testClient.setIntervalMining({ interval: 1 });
    await expect
      .poll(async () => (await fx.payment(payment.id)).status, { timeout: 30_000 })
      .toBe("confirmed");
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
    ]);
    expect(runner.runs.get("chain-scan")?.failed).toBe(0);
  });
});
