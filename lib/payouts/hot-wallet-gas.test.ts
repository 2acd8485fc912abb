// A merchant whose hot wallet holds only USDC pays out USDC on a real Anvil node: the gas tank tops
// the hot wallet up with exactly what the waiting payouts need (+ the buffer), once, even across a
// crash; an empty gas tank pauses the payouts with a clear reason until it is funded; the gas is the
// operator's cost, and reconciliation accounts for every wei of it.

import { parseEther, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { reconcileChainWithHotWallets } from "../balances/reconcile-hot-wallets";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { GAS_TOP_UP_BUFFER_PERCENT } from "./hot-wallet-gas";
import { runPayouts, signApprovedPayouts } from "./run-payouts";

let database: TestDatabase;
let fx: SettlementFixture;
let hotWallet: `0x${string}`;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
  hotWallet = await fx.useBalanceMode();
  // Only USDC is ever settled: the hot wallet holds no ETH.
  await fx.fundGasTank(parseEther("1"));
  await fx.createConfirmedPayment({ token: "USDC", amount: "1000" });
  await fx.sweepAll();
});
afterAll(() => database.drop());

const deps = () => ({ db: database.db, chains: [fx.chain] });
const approvedUsdcPayout = (amount: string) => fx.approvedPayout({ token: "USDC", amount });

const payoutRow = (id: string) => database.db.payout.findUniqueOrThrow({ where: { id } });
const topUps = () =>
  database.db.hotWalletGasTopUp.findMany({
    where: { merchantId: fx.merchant.merchantId },
    orderBy: { createdAt: "asc" },
  });

async function runUntil(id: string, status: "confirmed", rounds = 12) {
  for (let round = 0; round < rounds; round++) {
    await runPayouts(fx.deps);
    if ((await payoutRow(id)).status === status) return;
    await fx.mine();
  }
  throw new Error(`payout ${id} is ${(await payoutRow(id)).status}: ${(await payoutRow(id)).lastError}`);
}

async function expectReconciled() {
  expect(await findLedgerMismatches(database.db)).toEqual([]);
  const report = await reconcileChainWithHotWallets(
    { ...deps(), actor: OPERATOR },
    {
      chain: "local",
      merchantId: fx.merchant.merchantId,
    },
  );
  expect(report.hot_wallets.map((token) => [token.symbol, token.difference])).toEqual([
    ["ETH", "0"],
    ["USDC", "0"],
  ]);
  return report;
}

describe("gas for token payouts from the gas tank", () => {
  it("tops the hot wallet up once (even after a crash before the broadcast), then pays out; the operator bears the gas", async () => {
    expect(await fx.publicClient.getBalance({ address: hotWallet })).toBe(0n);
    const { id, recipient } = await approvedUsdcPayout("250");

    // Signing finds no ETH for gas: the payout waits, a top-up is recorded — and the process dies
    // before broadcasting it.
    await signApprovedPayouts(fx.deps, fx.chain, { broadcast: false });
    expect((await payoutRow(id)).status).toBe("approved");
    expect((await payoutRow(id)).lastError).toMatch(/waiting for the gas tank/);
    const [recorded, ...none] = await topUps();
    expect(none).toEqual([]);
    if (!recorded) throw new Error("no top-up recorded");
    // The restarted runner re-broadcasts those bytes and never records a second top-up.
    await runPayouts(fx.deps);
    await runPayouts(fx.deps);
    expect((await topUps()).map((topUp) => topUp.txHash)).toEqual([recorded.txHash]);
    const topUpReceipt = await fx.publicClient.getTransactionReceipt({
      hash: recorded.txHash as `0x${string}`,
    });
    expect(topUpReceipt.status).toBe("success");

    await runUntil(id, "confirmed");
    const [topUp] = await topUps();
    expect(topUp?.status).toBe("confirmed");
    expect(toBigInt(topUp?.fee ?? { toFixed: () => "0" })).toBe(
      topUpReceipt.gasUsed * topUpReceipt.effectiveGasPrice,
    );
    const paid = await payoutRow(id);
    expect(paid.gasSponsored).toBe(true);
    expect(await fx.tokenBalance(recipient)).toBe(250_000_000n);
    // Exactly what the payout needed at the quote, plus the documented buffer.
    const payoutReceipt = await fx.publicClient.getTransactionReceipt({ hash: paid.txHash as `0x${string}` });
    const fee = payoutReceipt.gasUsed * payoutReceipt.effectiveGasPrice;
    expect(toBigInt(paid.fee)).toBe(fee);
    const amount = toBigInt(recorded.amount);
    // The payout's gas limit at the quote's max fee (what its fee reserve is), plus the documented buffer.
    const gasLimit = parseTransaction(paid.rawTx as `0x${string}`).gas ?? 0n;
    const needed = gasLimit * (parseTransaction(recorded.rawTx as `0x${string}`).maxFeePerGas ?? 0n);
    expect(amount).toBe((needed * (100n + GAS_TOP_UP_BUFFER_PERCENT) + 99n) / 100n);
    // No ETH ledger entry: the merchant pays nothing in ETH; the rest of the top-up stays as float.
    expect(await database.db.balanceTransaction.count({ where: { payoutId: id, type: "payout_fee" } })).toBe(
      0,
    );
    expect(await fx.publicClient.getBalance({ address: hotWallet })).toBe(amount - fee);
    const report = await expectReconciled();
    const eth = report.hot_wallets.find((token) => token.symbol === "ETH");
    expect(eth?.gas_float).toBe(formatAmount(amount - fee, 18));
    expect(eth?.gas_tank_spent).toBe(formatAmount(toBigInt(topUp?.fee ?? { toFixed: () => "0" }) + fee, 18));
  });

  it("pauses with a clear reason while the gas tank is empty, and resumes once it is funded", async () => {
    await fx.testClient.setBalance({ address: fx.gasTank, value: 0n });
    // Enough payouts that the float left by the first top-up cannot pay for them.
    const payouts = [
      await approvedUsdcPayout("1"),
      await approvedUsdcPayout("2"),
      await approvedUsdcPayout("3"),
    ];
    await runPayouts(fx.deps);
    await runPayouts(fx.deps);
    const waiting = await Promise.all(payouts.map((payout) => payoutRow(payout.id)));
    expect(waiting.map((row) => row.status)).toEqual(["approved", "approved", "approved"]);
    for (const row of waiting)
      expect(row.lastError).toMatch(/paused: the gas tank 0x[0-9a-fA-F]{40} .* fund the gas tank/);
    expect((await topUps()).length).toBe(1);
    // Three payouts waiting, two runs: one notification to the merchant (bursts collapse per hour).
    expect(
      await database.db.notification.count({
        where: { kind: "payouts_paused", merchantId: fx.merchant.merchantId },
      }),
    ).toBe(1);
    await expectReconciled();

    await fx.fundGasTank(parseEther("1"));
    for (const payout of payouts) await runUntil(payout.id, "confirmed");
    expect((await topUps()).map((topUp) => topUp.status)).toEqual(["confirmed", "confirmed"]);
    for (const payout of payouts) expect((await payoutRow(payout.id)).gasSponsored).toBe(true);
    await expectReconciled();
  });
});
