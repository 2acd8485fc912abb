// A gas-tank top-up of a USDC-only hot wallet stuck in the mempool (its fee below the base fee), on
// this file's own Anvil (mining is switched off and the base fee raised, which would disturb other
// files on the shared node): after the replacement timeout it is replaced with the same nonce and a
// higher fee, recorded before its broadcast; the replacement is the top-up that confirms, the
// waiting payout is then paid, and every wei of gas reconciles.

import { type Hex, parseEther, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { reconcileChainWithHotWallets } from "../balances/reconcile-hot-wallets";
import { toBigInt } from "../payments/payment-object";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { gasTankSigner } from "../transactions/signing-accounts";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { runPayouts, signApprovedPayouts } from "./run-payouts";

const REPLACE_AFTER_MS = 60_000;

let database: TestDatabase;
let anvil: RunningAnvil;
let fx: SettlementFixture;
let clock = Date.now();
let deps: TransactionDeps;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort() });
  fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl });
  deps = { ...fx.deps, now: () => new Date(clock), replaceAfterMs: REPLACE_AFTER_MS };
  await fx.useBalanceMode();
  // Only USDC is ever settled: the hot wallet holds no ETH, its payouts need the gas tank.
  await fx.fundGasTank(parseEther("1"));
  await fx.createConfirmedPayment({ token: "USDC", amount: "500" });
  await fx.sweepAll();
});
afterAll(async () => {
  await anvil?.stop();
  await database?.drop();
});

const topUps = () =>
  database.db.hotWalletGasTopUp.findMany({ where: { merchantId: fx.merchant.merchantId } });

describe("a stuck gas top-up", () => {
  it("is replaced at a higher fee with the same nonce after the timeout, and the replacement pays for the payout", async () => {
    const { id, recipient } = await fx.approvedPayout({ token: "USDC", amount: "120" });
    let replacementHash = "";
    await fx.testClient.setAutomine(false);
    try {
      // The payout finds no ETH for gas: a top-up is signed, recorded and broadcast, then priced out.
      await signApprovedPayouts(deps, fx.chain);
      const [stuck] = await topUps();
      if (!stuck) throw new Error("no top-up recorded");
      const stuckTx = parseTransaction(stuck.rawTx as Hex);
      await fx.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: (stuckTx.maxFeePerGas ?? 0n) * 3n });
      await fx.mine();
      await expect(fx.publicClient.getTransactionReceipt({ hash: stuck.txHash as Hex })).rejects.toThrow();

      // Before the timeout: the same bytes are re-broadcast, nothing is replaced.
      clock += REPLACE_AFTER_MS - 1_000;
      await runPayouts(deps);
      expect((await topUps()).map((topUp) => [topUp.txHash, topUp.replacedTxHashes])).toEqual([
        [stuck.txHash, []],
      ]);

      // After it: one replacement, same nonce, value and recipient, fees raised by the chain's policy (≥ 12.5 %).
      clock += 2_000;
      await runPayouts(deps);
      const [replaced, ...none] = await topUps();
      expect(none).toEqual([]);
      expect(replaced?.replacedTxHashes).toEqual([stuck.txHash]);
      expect(replaced?.txHash).not.toBe(stuck.txHash);
      expect(replaced?.status).toBe("sent");
      replacementHash = replaced?.txHash ?? "";
      const replacement = parseTransaction(replaced?.rawTx as Hex);
      expect(replacement.nonce).toBe(stuckTx.nonce);
      expect(replacement.to).toBe(stuckTx.to);
      expect(replacement.value).toBe(stuckTx.value);
      expect(replacement.maxFeePerGas ?? 0n).toBeGreaterThanOrEqual(
        ((stuckTx.maxFeePerGas ?? 0n) * 1125n) / 1000n,
      );
      expect(replacement.maxPriorityFeePerGas ?? 0n).toBeGreaterThanOrEqual(
        ((stuckTx.maxPriorityFeePerGas ?? 0n) * 1125n) / 1000n,
      );
      // Another run within the timeout of the replacement does not replace it again.
      await runPayouts(deps);
      expect((await topUps())[0]?.txHash).toBe(replaced?.txHash);
      expect(
        await fx.publicClient.getTransactionCount({ address: gasTankSigner(fx.deps.mnemonic).address }),
      ).toBe(stuckTx.nonce);

      // Mined: the replacement is the top-up; the payout is then signed, sent and confirmed.
      for (let round = 0; round < 12; round++) {
        await fx.mine();
        await runPayouts(deps);
        if ((await database.db.payout.findUniqueOrThrow({ where: { id } })).status === "confirmed") break;
      }
    } finally {
      await fx.testClient.setAutomine(true);
    }
    const [topUp] = await topUps();
    expect(topUp?.status).toBe("confirmed");
    // The replacement was mined, not the stuck original.
    expect(topUp?.txHash).toBe(replacementHash);
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: topUp?.txHash as Hex });
    expect(receipt.status).toBe("success");
    expect(toBigInt(topUp?.fee ?? { toFixed: () => "0" })).toBe(receipt.gasUsed * receipt.effectiveGasPrice);
    expect((await database.db.payout.findUniqueOrThrow({ where: { id } })).status).toBe("confirmed");
    expect(await fx.tokenBalance(recipient)).toBe(120_000_000n);
    // Every wei of gas reconciles: the stuck transaction was never mined, only its replacement.
    expect(await findLedgerMismatches(database.db)).toEqual([]);
    const report = await reconcileChainWithHotWallets(
      { actor: OPERATOR, db: database.db, chains: [fx.chain] },
      { chain: "local", merchantId: fx.merchant.merchantId },
    );
    expect(report.hot_wallets.map((token) => [token.symbol, token.difference])).toEqual([
      ["ETH", "0"],
      ["USDC", "0"],
    ]);
  });
});
