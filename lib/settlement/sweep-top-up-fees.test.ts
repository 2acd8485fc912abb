// The gas tank's top-ups to deposit addresses use the engine's fee quote: tip below the max fee.
import { type Hex, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { advanceSweep } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";

let database: TestDatabase;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
});
afterAll(() => database.drop());

describe("sweep gas top-up fees", () => {
  it("signs the top-up with a tip below its max fee and still sweeps every token", async () => {
    await fx.fundGasTank(10n ** 18n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "7" });
    const [sweepId = ""] = await planSweeps(fx.deps);
    const funding = await advanceSweep(fx.deps, sweepId);
    expect(funding.status).toBe("funding_gas");

    const row = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    const signed = parseTransaction(row.gasFundRawTx as Hex);
    expect(signed.type).toBe("eip1559");
    expect(signed.maxPriorityFeePerGas ?? 0n).toBeGreaterThan(0n);
    expect(signed.maxPriorityFeePerGas ?? 0n).toBeLessThan(signed.maxFeePerGas ?? 0n);
    expect(signed.value).toBe(toBigInt(row.gasFundAmount ?? { toFixed: () => "-1" }));

    for (let run = 0; run < 12; run++) {
      if ((await advanceSweep(fx.deps, sweepId)).status === "confirmed") break;
      await fx.mine();
    }
    const done = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(done.status).toBe("confirmed");
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    // The tank paid gas used × effective price (base fee + tip), not gas × max fee.
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: done.gasFundTxHash as Hex });
    expect(receipt.effectiveGasPrice).toBeLessThan(signed.maxFeePerGas ?? 0n);
    expect(toBigInt(done.gasFundFee ?? { toFixed: () => "-1" })).toBe(
      receipt.gasUsed * receipt.effectiveGasPrice,
    );
  });
});
