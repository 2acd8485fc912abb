// A fiat-priced payment paid in several coins (half USDC, half ETH, at one deposit address) is swept
// once per coin on a real Anvil, settled once when the last coin's sweep confirms, credited per coin
// in balance mode, reconciled per coin; concurrent planners, a crash between the coins' sweeps and a
// reorg that takes one coin away before settlement.
import { type Address, erc20Abi, formatEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import type { AppError } from "../errors";
import { createFiatPayment } from "../payments/create-fiat-payment";
import { toBigInt } from "../payments/payment-object";
import { refundPayment, type TRefundPayment } from "../payouts/refund-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { driveSweep, expectChainReconciled, useSettlementMode } from "../testing/sweep-helpers";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { advanceSweep } from "./advance-sweep";
import { getPaymentSweeps } from "./get-payment-sweep";
import { planSweeps } from "./plan-sweeps";
import { reconcileChain } from "./reconcile-chain";

let database: TestDatabase;
let fx: ScannerFixture;
let deps: TransactionDeps;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database, { confirmations: 2 });
  deps = { db: database.db, chains: [fx.chain], mnemonic: DEVELOPMENT_MNEMONIC };
  await fx.mine(3);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

const USDC_HALF = 15_000_000n; // 15.00 USD in USDC (6 decimals, pegged)
const ETH_HALF = 5n * 10n ** 15n; // 15.00 USD at the devnet's 3000 USD/ETH

/** A 30.00 USD payment paid 15 in USDC, then `eth` wei of ETH; scanned until confirmed. */
async function paidInTwoCoins(eth = ETH_HALF, usdc = USDC_HALF) {
  const payment = await createFiatPayment(
    { actor: OPERATOR, db: database.db, chains: [fx.chain], baseUrl: BASE_URL, now: await fx.chainNow() },
    fx.merchant.merchantId,
    {
      price: { amount: "30.00", currency: "USD" },
      accepts: [{ chain: "local", token: "USDC" }, { chain: "local" }],
    },
  );
  await fx.sendToken(payment.address, usdc);
  await fx.mine(1);
  await fx.sendEth(payment.address, eth);
  await fx.mine(2);
  await fx.scan();
  expect((await fx.payment(payment.id)).status).toBe("confirmed");
  return payment;
}

async function sweepsOf(paymentId: string) {
  const rows = await database.db.sweep.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
  return {
    native: rows.find((row) => row.tokenAddress === null),
    usdc: rows.find((row) => row.tokenAddress?.toLowerCase() === MOCK_USDC_ADDRESS.toLowerCase()),
    all: rows,
  };
}

function usdcOf(address: Address) {
  return fx.publicClient.readContract({
    address: MOCK_USDC_ADDRESS,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [address],
  });
}

async function settledEvents(paymentId: string) {
  return database.db.event.findMany({ where: { objectId: paymentId, type: "payment.settled" } });
}

async function expectReconciled() {
  await expectChainReconciled(database, fx);
  // This payment's ETH is counted as ETH received (not as gas of its USDC sweep).
  const eth = await reconcileChain(
    { db: database.db, chains: [fx.chain] },
    { chain: "local", merchantId: fx.merchant.merchantId },
  );
  expect(eth.tokens.find((token) => token.symbol === "ETH")?.received).not.toBe("0");
}

describe("a fiat-priced payment paid in two coins", () => {
  it("treasury mode: both coins reach the treasury, the payment is settled once", async () => {
    const treasury = await useSettlementMode(database, fx, "treasury");
    const payment = await paidInTwoCoins();
    const planned = await planSweeps(deps);
    expect(planned).toHaveLength(2);
    const { native, usdc } = await sweepsOf(payment.id);
    if (!native || !usdc) throw new Error("a coin was not planned");
    expect(native).toMatchObject({ chain: "local", toAddress: treasury });
    // The token's sweep waits for the native one on the shared deposit address.
    await advanceSweep(deps, usdc.id);
    expect(await database.db.sweep.findUniqueOrThrow({ where: { id: usdc.id } })).toMatchObject({
      status: "pending",
      lastError: expect.stringContaining("waiting for the native-coin sweep"),
    });
    await driveSweep(deps, fx, native.id);
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
    await driveSweep(deps, fx, usdc.id);
    expect((await fx.payment(payment.id)).status).toBe("settled");

    const swept = await sweepsOf(payment.id);
    expect(await usdcOf(treasury)).toBe(USDC_HALF);
    expect(await fx.publicClient.getBalance({ address: treasury })).toBe(
      BigInt(swept.native?.amount.toFixed() ?? "0"),
    );
    const events = await settledEvents(payment.id);
    expect(events).toHaveLength(1);
    const settlement =
      (events[0]?.data as { settlement?: Record<string, unknown> } | undefined)?.settlement ?? {};
    expect(settlement).toMatchObject({ sweep_id: usdc.id, to_address: treasury });
    expect(settlement.sweeps).toEqual([
      expect.objectContaining({ sweep_id: usdc.id, token: { symbol: "USDC", address: usdc.tokenAddress } }),
      expect.objectContaining({ sweep_id: native.id, token: { symbol: "ETH", address: null } }),
    ]);
    const shown = await getPaymentSweeps(
      { db: database.db, chains: [fx.chain] },
      fx.merchant.merchantId,
      payment.id,
    );
    expect(shown.map((sweep) => sweep.token.symbol)).toEqual(["USDC", "ETH"]);
    expect(shown[0]?.amount).toBe("15");
    await expectReconciled();
    // Nothing to plan again.
    expect(await planSweeps(deps)).toEqual([]);
  });

  it("balance mode, two planners at once and a crash between the coins: each coin credited exactly once", async () => {
    const hotWallet = await useSettlementMode(database, fx, "balance");
    const payment = await paidInTwoCoins();
    const [first, second] = await Promise.all([planSweeps(deps), planSweeps(deps)]);
    expect([...(first ?? []), ...(second ?? [])]).toHaveLength(2);
    const { native, usdc, all } = await sweepsOf(payment.id);
    expect(all).toHaveLength(2);
    if (!native || !usdc) throw new Error("a coin was not planned");
    const ethBefore = await fx.publicClient.getBalance({ address: hotWallet });
    const usdcBefore = await usdcOf(hotWallet);

    // The first coin's sweep confirms, then the process "crashes": no credit, not settled yet.
    await driveSweep(deps, fx, native.id);
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
    expect(await database.db.balanceTransaction.count({ where: { paymentId: payment.id } })).toBe(0);
    // A restarted runner: plans nothing new, confirms the second coin, settles once.
    expect(await planSweeps(deps)).toEqual([]);
    await Promise.all([driveSweep(deps, fx, usdc.id), driveSweep(deps, fx, usdc.id)]);
    await driveSweep(deps, fx, native.id);
    expect((await fx.payment(payment.id)).status).toBe("settled");
    expect(await settledEvents(payment.id)).toHaveLength(1);

    const swept = await sweepsOf(payment.id);
    const ethSwept = BigInt(swept.native?.amountReceived?.toFixed() ?? "0");
    expect(await fx.publicClient.getBalance({ address: hotWallet })).toBe(ethBefore + ethSwept);
    expect((await usdcOf(hotWallet)) - usdcBefore).toBe(USDC_HALF);
    const entries = await database.db.balanceTransaction.findMany({
      where: { paymentId: payment.id },
      orderBy: { tokenSymbol: "asc" },
    });
    expect(entries.map((entry) => [entry.type, entry.tokenSymbol, toBigInt(entry.amount)])).toEqual([
      ["payment_settled", "ETH", ethSwept],
      ["payment_settled", "USDC", USDC_HALF],
    ]);
    expect(await findLedgerMismatches(database.db)).toEqual([]);
    await expectReconciled();
    // The gas tank's top-up of the deposit (for the USDC sweep) is the gateway's own ETH: scanned
    // after it, the payment still has the payer's two transfers and nothing unattributed.
    expect(swept.usdc?.gasFundTxHashes).toHaveLength(1);
    await fx.mine(1);
    await fx.scan();
    const rescanned = await fx.payment(payment.id);
    expect(rescanned.transfers.map((transfer) => transfer.amount.toFixed()).sort()).toEqual(
      [ETH_HALF.toString(), USDC_HALF.toString()].sort(),
    );
    expect(await database.db.transfer.count({ where: { unattributedPaymentId: payment.id } })).toBe(0);

    // Refunds coin by coin: each limited to what arrived in that coin, never in a coin not paid.
    const refund = (input: Omit<TRefundPayment, "address">) =>
      refundPayment(
        { db: database.db, chains: [fx.chain], actor: OPERATOR },
        fx.merchant.merchantId,
        payment.id,
        { address: privateKeyToAddress(generatePrivateKey()), ...input },
      ).catch((error: unknown) => error as AppError);
    expect(await refund({ chain: "local", token: "ETH", amount: formatEther(ETH_HALF + 1n) })).toMatchObject({
      code: "validation_failed",
      message: expect.stringContaining(`${formatEther(ETH_HALF)} ETH`),
    });
    const eth = await refund({ chain: "local", token: "ETH", amount: formatEther(ETH_HALF / 2n) });
    expect(eth).toMatchObject({
      chain: "local",
      token: { symbol: "ETH" },
      amount: formatEther(ETH_HALF / 2n),
    });
    // Two refunds of 3/8 of the ETH at once, with 1/2 left: the payment's row lock lets one through.
    const racing = await Promise.all(
      [1, 2].map(() => refund({ chain: "local", token: "ETH", amount: formatEther((ETH_HALF * 3n) / 8n) })),
    );
    expect(racing.map((result) => (result as AppError).code ?? "created").sort()).toEqual([
      "created",
      "validation_failed",
    ]);
    // The default is the payment's own coin (its first credited one, USDC): all of it is left.
    const ownCoin = await refund({});
    expect(ownCoin).toMatchObject({ token: { symbol: "USDC" }, amount: "15" });
    expect(await refund({ token: "USDC", amount: "0.000001" })).toMatchObject({ code: "validation_failed" });
    expect(await refund({ chain: "local", token: "NOPE" })).toMatchObject({ code: "validation_failed" });
    expect(await refund({ chain: "elsewhere" })).toMatchObject({ code: "validation_failed" });
    const refunds = await database.db.balanceTransaction.findMany({
      where: { payout: { paymentId: payment.id }, type: "refund" },
      orderBy: [{ tokenSymbol: "asc" }, { createdAt: "asc" }],
    });
    expect(refunds.map((entry) => [entry.tokenSymbol, toBigInt(entry.amount)])).toEqual([
      ["ETH", -(ETH_HALF / 2n)],
      ["ETH", -((ETH_HALF * 3n) / 8n)],
      ["USDC", -USDC_HALF],
    ]);
  });

  it("a reorg takes one coin's transfer away before settlement: only the remaining coin is swept", async () => {
    const treasury = await useSettlementMode(database, fx, "treasury");
    // 30 USD in USDC alone, then 15 USD of ETH on top (overpaid): both coins planned.
    const payment = await paidInTwoCoins(ETH_HALF, 2n * USDC_HALF);
    expect(await planSweeps(deps)).toHaveLength(2);
    const { native, usdc } = await sweepsOf(payment.id);
    if (!native || !usdc) throw new Error("a coin was not planned");
    // The chain drops the ETH transfer (a reorg deeper than the confirmations): the payment stays
    // confirmed on its USDC alone.
    const ethTransfer = (await fx.payment(payment.id)).transfers.find((t) => t.tokenAddress === null);
    await fx.testClient.request({ method: "anvil_reorg" as never, params: [3, []] as never });
    await fx.mine(10);
    await fx.scan();
    const after = await fx.payment(payment.id);
    expect(after.transfers.find((t) => t.id === ethTransfer?.id)?.status).toBe("reverted");
    expect(after.status).toBe("confirmed");

    await driveSweep(deps, fx, usdc.id);
    await driveSweep(deps, fx, native.id);
    expect((await fx.payment(payment.id)).status).toBe("settled");
    expect(await usdcOf(treasury)).toBe(2n * USDC_HALF);
    expect(await fx.publicClient.getBalance({ address: treasury })).toBe(0n);
    expect(await database.db.sweep.findUniqueOrThrow({ where: { id: native.id } })).toMatchObject({
      status: "pending",
      txHash: null,
      lastError: expect.stringContaining("no longer holds a transfer in this coin"),
    });
    expect(await settledEvents(payment.id)).toHaveLength(1);
  });
});
