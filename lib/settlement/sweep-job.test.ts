// The embedded runner drives the sweep job on its own timer until a confirmed payment is settled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedRunner, startEmbeddedRunner } from "../jobs/embedded-runner";
import { sweepJob } from "../jobs/jobs";
import { createLogger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture } from "../testing/settlement-fixture";

let database: TestDatabase;
let runner: EmbeddedRunner | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await runner?.stop();
  await database.drop();
});

describe("sweep job", () => {
  it("settles a confirmed native payment with no call from the test but mining", async () => {
    const fx = await createSettlementFixture(database.db);
    const payment = await fx.createConfirmedPayment({ amount: "0.3" });
    const logger = createLogger({}, { level: "error" });
    runner = startEmbeddedRunner({
      jobs: [sweepJob],
      context: { db: database.db, chains: fx.deps.chains, logger, mnemonic: fx.mnemonic },
      logger,
    });
    const status = async () => {
      await fx.mine();
      return (await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status;
    };
    await expect.poll(status, { timeout: 30_000, interval: 500 }).toBe("settled");
    // What the sweep reserved for gas and did not burn stays at the deposit (the tip is below the max fee).
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(
      await fx.unspentGasReserve(sweep.txHash),
    );
  });
});
