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
  it("moves native payments (a plain transfer, and ETH sent by a contract) pending → detected → confirmed on their own as blocks are mined", async () => {
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
    // And one paid by a contract (an internal transfer): found by the periodic balance check.
    const viaContract = await fx.createPayment({ amount: "0.5" });
    await fx.sendEthViaContract(viaContract.address, parseEther("0.5"));
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
    await expect
      .poll(async () => (await fx.payment(viaContract.id)).status, { timeout: 40_000 })
      .toBe("confirmed");
    const credited = await fx.payment(viaContract.id);
    expect(credited.transfers).toHaveLength(1);
    expect(credited.amountReceived.toFixed()).toBe(parseEther("0.5").toString());
    expect(runner.runs.get("chain-scan")?.failed).toBe(0);
  });
});
