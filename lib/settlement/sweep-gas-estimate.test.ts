// Gas of an ERC-20 sweep, on a test file's own Anvil (mining is switched off for a while): two
// deposits sweep to one treasury that holds no tokens yet, and the first transfer is still in the
// pool when the second is signed. The second must be priced for creating the treasury's balance
// (estimated on the latest block, not on the pending state where the first already credited it):
// mined first on its own, it succeeds, and so does the first after it — no revert, no retry.
import { type Hex, parseEther, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../testing/database";
import {
  type OwnSettlementChain,
  type SettlementFixture,
  startOwnSettlementChain,
} from "../testing/settlement-fixture";
import { advanceSweep, broadcastSweepTransaction, recordSweepTransaction } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";

let database: TestDatabase;
let fx: SettlementFixture;
let own: OwnSettlementChain | undefined;
beforeAll(async () => {
  own = await startOwnSettlementChain();
  ({ database, fx } = own);
});
afterAll(() => own?.stop());

async function sweepOf(paymentId: string) {
  return database.db.sweep.findFirstOrThrow({ where: { paymentId } });
}

/** Drives a sweep step by step (mining as needed) until it reaches `status`. */
async function driveTo(sweepId: string, status: "gas_funded" | "confirmed") {
  for (let run = 0; run < 12; run++) {
    const result = await recordSweepTransaction(fx.deps, sweepId);
    if (result.status === status) return;
    await broadcastSweepTransaction(fx.deps, sweepId);
    await fx.mine();
  }
  throw new Error(`sweep ${sweepId} did not reach ${status}`);
}

describe("ERC-20 sweeps racing to one recipient", () => {
  it("prices each transfer for a recipient without tokens while another sweep to it is pending", async () => {
    await fx.fundGasTank(parseEther("1"));
    const first = await fx.createConfirmedPayment({ token: "USDC", amount: "10" });
    const second = await fx.createConfirmedPayment({ token: "USDC", amount: "20" });
    await planSweeps(fx.deps);
    const [firstSweep, secondSweep] = [(await sweepOf(first.id)).id, (await sweepOf(second.id)).id];
    await driveTo(firstSweep, "gas_funded");
    await driveTo(secondSweep, "gas_funded");
    expect(await fx.tokenBalance(fx.treasury)).toBe(0n);

    let firstHash: string | null = null;
    await fx.testClient.setAutomine(false);
    try {
      // The first transfer waits in the pool; the second is signed meanwhile.
      expect((await recordSweepTransaction(fx.deps, firstSweep)).status).toBe("transferring");
      expect((await broadcastSweepTransaction(fx.deps, firstSweep)).error).toBeNull();
      expect((await recordSweepTransaction(fx.deps, secondSweep)).status).toBe("transferring");
      const [pending, signed] = [await sweepOf(first.id), await sweepOf(second.id)];
      firstHash = pending.txHash;
      const gasOf = (raw: string | null) => parseTransaction(raw as Hex).gas;
      expect(gasOf(signed.rawTx)).toBe(gasOf(pending.rawTx));

      // The second is mined first, alone: it pays for the treasury's new balance slot.
      await fx.testClient.dropTransaction({ hash: pending.txHash as Hex });
      expect((await broadcastSweepTransaction(fx.deps, secondSweep)).error).toBeNull();
      await fx.mine();
      const receipt = await fx.publicClient.getTransactionReceipt({ hash: signed.txHash as Hex });
      expect(receipt.status).toBe("success");
      expect(await fx.tokenBalance(fx.treasury)).toBe(second.amount);
    } finally {
      await fx.testClient.setAutomine(true);
    }

    // The first goes out again (the very same bytes) and both settle on their first attempt.
    for (const sweepId of [firstSweep, secondSweep])
      for (let run = 0; run < 8 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
        await fx.mine();
    for (const payment of [first, second]) {
      const sweep = await sweepOf(payment.id);
      expect(sweep.status).toBe("confirmed");
      expect(sweep.attempts).toBe(0);
      expect(sweep.revertedTxHashes).toEqual([]);
    }
    expect((await sweepOf(first.id)).txHash).toBe(firstHash);
    expect(await fx.tokenBalance(fx.treasury)).toBe(first.amount + second.amount);
  });
});
