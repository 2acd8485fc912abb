// Issue 18's real-world tokens end to end on the test Anvil with real funds: a USDT-like token
// (transfer returns nothing), a fee-on-transfer token and an 18-decimal stablecoin are each paid
// (detected by the scanner with what the deposit address really received), confirmed, swept to a
// balance-mode hot wallet, paid out, refunded, and reconciled to 0. A paused USDT-like token pauses the sweep
// with a clear reason where operators look (health, metrics) instead of failing it over and over.

import { type Address, createWalletClient, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, userActor } from "../../access/actor";
import { findLedgerMismatches } from "../../balances/find-ledger-mismatches";
import { reconcileChainWithHotWallets } from "../../balances/reconcile-hot-wallets";
import { createChainClient } from "../../chains/public-client";
import { getCheckoutOrThrow } from "../../checkout/get-checkout";
import type { TToken } from "../../config/chains";
import { getHealth } from "../../health/get-health";
import { renderMetrics } from "../../metrics/render-metrics";
import { formatAmount, parseAmount } from "../../money/amounts";
import { createPayment } from "../../payments/create-payment";
import { getPaymentOrThrow } from "../../payments/get-payment";
import { toBigInt } from "../../payments/payment-object";
import { getPayoutOrThrow } from "../../payouts/get-payout";
import { refundPayment } from "../../payouts/refund-payment";
import { approvePayout } from "../../payouts/review-payout";
import { runPayouts } from "../../payouts/run-payouts";
import { scanChain } from "../../scanner/scan-chain";
import { advanceSweep } from "../../settlement/advance-sweep";
import { planSweeps } from "../../settlement/plan-sweeps";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { deployMockTokens, type MockTokens } from "../../testing/mock-tokens";
import { createSettlementFixture, type SettlementFixture } from "../../testing/settlement-fixture";

const BASE_URL = "http://localhost";
let database: TestDatabase;
let fx: SettlementFixture;
let tokens: MockTokens;
let hotWallet: Address;

beforeAll(async () => {
  database = await createTestDatabase();
  tokens = await deployMockTokens();
  fx = await createSettlementFixture(database.db, { extraTokens: tokens.all });
  hotWallet = await fx.useBalanceMode();
  await fx.fundGasTank(parseEther("5"));
  for (const token of tokens.all)
    await tokens.mint(token, fx.payer.address, 10n ** BigInt(token.decimals + 6));
});
afterAll(() => database.drop());

const payerWallet = () => createWalletClient({ account: fx.payer, transport: http(fx.rpcUrl) });

function balanceOf(token: TToken, holder: Address) {
  return tokens.balanceOf(token, holder);
}

async function ledgerAvailable(symbol: string) {
  const row = await database.db.balance.findUnique({
    where: {
      merchantId_chain_tokenSymbol: {
        merchantId: fx.merchant.merchantId,
        chain: "local",
        tokenSymbol: symbol,
      },
    },
  });
  return row ? toBigInt(row.available) : 0n;
}

function scan() {
  return scanChain(
    { db: database.db, client: createChainClient(fx.chain), chain: fx.chain, baseUrl: BASE_URL },
    { maxRanges: 1_000 },
  );
}

/** A payment of `amount` paid by the payer's real token transfer of `sent` base units, scanned to confirmed. */
async function payAndConfirm(token: TToken, amount: string, sent: bigint) {
  const payment = await createPayment(
    { actor: OPERATOR, db: database.db, chains: fx.deps.chains, baseUrl: BASE_URL },
    fx.merchant.merchantId,
    { chain: "local", token: token.symbol, amount },
  );
  const hash = await payerWallet().writeContract({
    chain: null,
    address: token.address as Address,
    abi: [
      {
        type: "function",
        name: "transfer",
        stateMutability: "nonpayable",
        inputs: [{ type: "address" }, { type: "uint256" }],
        outputs: [],
      },
    ],
    functionName: "transfer",
    args: [payment.address as Address, sent],
  });
  await fx.publicClient.waitForTransactionReceipt({ hash });
  await scan();
  await fx.mine(fx.chain.confirmations);
  await scan();
  return getPaymentOrThrow(
    { actor: OPERATOR, db: database.db },
    fx.merchant.merchantId,
    payment.id,
    BASE_URL,
  );
}

async function runPayoutsUntilSettled(id: string) {
  for (let round = 0; round < 12; round++) {
    await runPayouts(fx.deps);
    const row = await database.db.payout.findUniqueOrThrow({ where: { id } });
    if (row.status !== "approved" && row.status !== "sent") return row;
    await fx.mine();
  }
  throw new Error(`payout ${id} did not settle`);
}

async function expectReconciled() {
  expect(await findLedgerMismatches(database.db)).toEqual([]);
  const report = await reconcileChainWithHotWallets(
    { db: database.db, chains: fx.deps.chains, actor: OPERATOR },
    { chain: "local", merchantId: fx.merchant.merchantId },
  );
  expect(report.flagged_payments).toEqual([]);
  expect(report.tokens.map((token) => [token.symbol, token.difference])).toEqual(
    report.tokens.map((token) => [token.symbol, "0"]),
  );
  expect(report.hot_wallets.map((token) => [token.symbol, token.difference])).toEqual(
    report.hot_wallets.map((token) => [token.symbol, "0"]),
  );
}

describe.each([
  // [token, payment amount, sent by the payer, what the deposit receives]
  { name: "USDT-like (no return value)", pick: () => tokens.usdt, amount: "42.5", fee: false },
  { name: "fee-on-transfer (1 %)", pick: () => tokens.feeToken, amount: "10", fee: true },
  {
    name: "18-decimal stablecoin",
    pick: () => tokens.stable18,
    amount: "1234.567890123456789012",
    fee: false,
  },
])("$name", ({ pick, amount, fee }) => {
  it("is detected with what the deposit received, swept, paid out, refunded and reconciled to 0", async () => {
    const token = pick();
    const due = parseAmount(amount, token.decimals);
    // A fee-on-transfer payer must send more for the deposit to receive the amount due.
    const sent = fee ? (due * 10_000n + 9_899n) / 9_900n : due;
    const received = fee ? sent - (sent * 100n) / 10_000n : sent;
    const payment = await payAndConfirm(token, amount, sent);
    expect(payment.status).toBe("confirmed");
    expect(payment.amount).toBe(amount);
    expect(payment.amount_received).toBe(formatAmount(received, token.decimals));
    expect(BigInt(payment.amount_base_units ?? "")).toBe(due);
    // The hosted checkout shows the same exact figures in the token's own decimals.
    const checkout = await getCheckoutOrThrow(database.db, fx.deps.chains, payment.id);
    expect(checkout.token).toEqual({
      symbol: token.symbol,
      address: token.address,
      decimals: token.decimals,
    });
    expect([checkout.amount, checkout.amount_received, checkout.amount_remaining]).toEqual([
      amount,
      formatAmount(received, token.decimals),
      "0",
    ]);
    expect(checkout.payment_uri).toContain(`uint256=${due}`);

    const before = await balanceOf(token, hotWallet);
    await fx.sweepAll();
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(sweep.status).toBe("confirmed");
    expect(toBigInt(sweep.amount)).toBe(received); // what left the deposit
    expect(await balanceOf(token, payment.address as Address)).toBe(0n);
    const arrived = (await balanceOf(token, hotWallet)) - before;
    expect(arrived).toBe(fee ? received - (received * 100n) / 10_000n : received);
    expect(toBigInt(sweep.amountReceived ?? { toFixed: () => "-1" })).toBe(arrived);
    // The merchant is credited what reached the hot wallet, not what the deposit sent.
    expect(await ledgerAvailable(token.symbol)).toBe(await balanceOf(token, hotWallet));
    // The credit's split: gross is what the payer's transfer brought to the deposit, the fee what a
    // fee-on-transfer token kept on the way to the hot wallet (the gas is the gas tank's).
    const credit = await database.db.balanceTransaction.findFirstOrThrow({
      where: { paymentId: payment.id, type: "payment_settled" },
    });
    expect([credit.gross?.toFixed(), credit.fee?.toFixed(), credit.amount.toFixed()]).toEqual([
      received.toString(),
      (received - arrived).toString(),
      arrived.toString(),
    ]);
    await expectReconciled();

    const payoutAmount = formatAmount(arrived / 2n, token.decimals);
    const payout = await fx.approvedPayout({ token: token.symbol, amount: payoutAmount });
    const settled = await runPayoutsUntilSettled(payout.id);
    expect(settled.status).toBe("confirmed");
    const delivered = await balanceOf(token, payout.recipient);
    expect(delivered).toBe(fee ? arrived / 2n - ((arrived / 2n) * 100n) / 10_000n : arrived / 2n);
    expect(toBigInt(settled.amount)).toBe(arrived / 2n); // what the balance was debited
    expect(toBigInt(settled.amountReceived ?? { toFixed: () => "-1" })).toBe(delivered);
    // The public payout object says both: what was debited and what the recipient received.
    const shown = await getPayoutOrThrow(
      { db: database.db, chains: fx.deps.chains, actor: OPERATOR },
      fx.merchant.merchantId,
      payout.id,
    );
    expect([shown.amount_base_units, shown.amount_received_base_units]).toEqual([
      (arrived / 2n).toString(),
      delivered.toString(),
    ]);
    expect(shown.amount_received).toBe(formatAmount(delivered, token.decimals));
    expect(await ledgerAvailable(token.symbol)).toBe(await balanceOf(token, hotWallet));
    await expectReconciled();

    // A partial refund of the payment, paid from the balance like a payout.
    const customer = privateKeyToAddress(generatePrivateKey());
    const refund = await refundPayment(
      { db: database.db, chains: fx.deps.chains, actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      { address: customer, amount: "1" },
    );
    await approvePayout(
      {
        db: database.db,
        chains: fx.deps.chains,
        actor: userActor({ merchantId: fx.merchant.merchantId, userId: fx.merchant.userId, role: "owner" }),
      },
      fx.merchant.merchantId,
      refund.id,
    );
    const one = 10n ** BigInt(token.decimals);
    expect((await runPayoutsUntilSettled(refund.id)).status).toBe("confirmed");
    expect(await balanceOf(token, customer)).toBe(fee ? one - one / 100n : one);
    expect(await ledgerAvailable(token.symbol)).toBe(await balanceOf(token, hotWallet));
    await expectReconciled();
  });
});

describe("a paused USDT-like token", () => {
  it("pauses the sweep with reason token_paused (health, metrics), and it resumes once unpaused", async () => {
    const payment = await payAndConfirm(tokens.usdt, "7", 7_000_000n);
    expect(payment.status).toBe("confirmed");
    await tokens.pauseUsdt(true);
    try {
      const [sweepId = ""] = await planSweeps(fx.deps);
      const result = await advanceSweep(fx.deps, sweepId);
      expect(result.status).toBe("pending");
      expect(result.lastError).toMatch(/paused/);
      const sweep = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
      expect(sweep.pausedReason).toBe("token_paused");
      expect(
        await database.db.notification.count({
          where: { kind: "sweeps_paused", merchantId: sweep.merchantId },
        }),
      ).toBe(1);
      expect(sweep.attempts).toBe(0);
      const health = await getHealth({ db: database.db, chains: fx.deps.chains });
      expect(health.settlement).toEqual([
        expect.objectContaining({
          chain: "local",
          status: "paused",
          last_error: expect.stringMatching(/paused/),
        }),
      ]);
      expect(await renderMetrics({ db: database.db, chains: fx.deps.chains })).toContain(
        'ctrip_sweeps_paused{chain="local",reason="token_paused"} 1',
      );
      // Asked again, it stays paused: no transaction, no attempt counted.
      await advanceSweep(fx.deps, sweepId);
      expect((await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } })).txHash).toBeNull();
    } finally {
      await tokens.pauseUsdt(false);
    }
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    for (let run = 0; run < 12 && (await advanceSweep(fx.deps, sweep.id)).status !== "confirmed"; run++)
      await fx.mine();
    const resumed = await database.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } });
    expect(resumed.status).toBe("confirmed");
    expect(resumed.pausedReason).toBeNull();
    await expectReconciled();
  });

  it("a blacklisted deposit address pauses its sweep with sender_blacklisted until it is delisted", async () => {
    const payment = await payAndConfirm(tokens.usdt, "3", 3_000_000n);
    await tokens.blacklistUsdt(payment.address as Address, true);
    const [sweepId = ""] = await planSweeps(fx.deps);
    try {
      const result = await advanceSweep(fx.deps, sweepId);
      expect(result.status).toBe("pending");
      expect(result.lastError).toMatch(/blacklisted the sender/);
      expect((await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } })).pausedReason).toBe(
        "sender_blacklisted",
      );
    } finally {
      await tokens.blacklistUsdt(payment.address as Address, false);
    }
    for (let run = 0; run < 12 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    expect((await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } })).status).toBe("confirmed");
    await expectReconciled();
  });

  it("a payout of a paused token waits with a clear reason instead of failing; it is sent once unpaused", async () => {
    const payout = await fx.approvedPayout({ token: "USDT", amount: "1" });
    await tokens.pauseUsdt(true);
    try {
      await runPayouts(fx.deps);
      const row = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
      expect(row.status).toBe("approved");
      expect(row.rawTx).toBeNull();
      expect(row.lastError).toMatch(/paused/);
      // The merchant's owners and admins are told (lib/notifications), linking the payout.
      const notices = await database.db.notification.findMany({
        where: { kind: "payouts_paused", merchantId: row.merchantId },
      });
      expect(notices.map((notice) => notice.link)).toEqual([`/dashboard/payouts/${payout.id}`]);
    } finally {
      await tokens.pauseUsdt(false);
    }
    expect((await runPayoutsUntilSettled(payout.id)).status).toBe("confirmed");
    await expectReconciled();
  });

  it("a payout to a blacklisted recipient fails at once with that reason, the funds back in the balance", async () => {
    const payout = await fx.approvedPayout({ token: "USDT", amount: "1" });
    await tokens.blacklistUsdt(payout.recipient as Address, true);
    const before = await ledgerAvailable("USDT");
    const row = await runPayoutsUntilSettled(payout.id);
    expect(row.status).toBe("failed");
    expect(row.lastError).toMatch(/blacklisted the recipient/);
    expect(await ledgerAvailable("USDT")).toBe(before + 1_000_000n);
    await expectReconciled();
  });
});
