// Payout execution on a real Anvil node with real funds: a merchant in balance mode whose hot
// wallet was filled by real sweeps pays out native coins and USDC; crash recovery, failures and a
// burst of pipelined payouts, with the ledger reconciled against the hot wallet's on-chain balances.

import { type Hex, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, userActor } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { listBalanceTransactions } from "../balances/list-balance-transactions";
import { reconcileChainWithHotWallets } from "../balances/reconcile-hot-wallets";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { hotWalletSigner } from "../transactions/signing-accounts";
import { confirmSentPayouts } from "./confirm-sent-payouts";
import { createPayout } from "./create-payout";
import { listPayouts } from "./list-payouts";
import { refundPayment } from "./refund-payment";
import { replaceStuckPayouts } from "./replace-stuck-payouts";
import { approvePayout, rejectPayout } from "./review-payout";
import { broadcastSentPayouts, runPayouts, signApprovedPayouts } from "./run-payouts";

let database: TestDatabase;
let fx: SettlementFixture;
let hotWallet: `0x${string}`;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
  await setTreasurySetting({ actor: OPERATOR, db: database.db, chains: [fx.chain] }, fx.merchant.merchantId, {
    chain: "local",
    mode: "balance",
  });
  hotWallet = hotWalletSigner(fx.mnemonic, fx.merchant.hdAccount).address;
  // Fill the hot wallet the way production does: real payments, really swept.
  await fx.fundGasTank(parseEther("1"));
  await fx.createConfirmedPayment({ amount: "20" });
  await fx.createConfirmedPayment({ token: "USDC", amount: "5000" });
  await fx.sweepAll();
});
afterAll(() => database.drop());

const payoutDeps = () => ({ db: database.db, chains: [fx.chain] });

async function available(tokenSymbol: "ETH" | "USDC") {
  const row = await database.db.balance.findUniqueOrThrow({
    where: {
      merchantId_chain_tokenSymbol: { merchantId: fx.merchant.merchantId, chain: "local", tokenSymbol },
    },
  });
  return toBigInt(row.available);
}

/** Ledger = chain: what the books say the merchant holds is exactly what its hot wallet holds. */
async function expectLedgerMatchesHotWallet() {
  expect(await findLedgerMismatches(database.db)).toEqual([]);
  expect(await available("ETH")).toBe(await fx.publicClient.getBalance({ address: hotWallet }));
  expect(await available("USDC")).toBe(await fx.tokenBalance(hotWallet));
  await expectReconciled();
}

/** The reconciliation service: every unit of the deposits and of the hot wallet accounted for. */
async function expectReconciled() {
  const report = await reconcileChainWithHotWallets(
    { ...payoutDeps(), actor: OPERATOR },
    {
      chain: "local",
      merchantId: fx.merchant.merchantId,
    },
  );
  expect(report.tokens.map((token) => token.difference)).toEqual(["0", "0"]);
  expect(report.hot_wallets.map((token) => token.difference)).toEqual(["0", "0"]);
}

async function approvedPayout(body: { token?: "USDC"; amount: string; address: `0x${string}` }) {
  const payout = await createPayout({ ...payoutDeps(), actor: OPERATOR }, fx.merchant.merchantId, {
    chain: "local",
    ...body,
  });
  return approvePayout(
    {
      ...payoutDeps(),
      actor: userActor({ merchantId: fx.merchant.merchantId, userId: fx.merchant.userId, role: "owner" }),
    },
    fx.merchant.merchantId,
    payout.id,
  );
}

async function runUntilSettled(ids: string[]) {
  for (let round = 0; round < 12; round++) {
    await runPayouts(fx.deps);
    const open = await database.db.payout.count({
      where: { id: { in: ids }, status: { in: ["approved", "sent"] } },
    });
    if (open === 0) return;
    await fx.mine();
  }
  throw new Error("payouts did not settle");
}

describe("payout execution", () => {
  it("starts from a hot wallet the books agree with", async () => {
    expect(await available("USDC")).toBe(5_000_000_000n);
    await expectLedgerMatchesHotWallet();
  });

  it("pays out ETH: the recipient gets the exact amount, the fee is recorded and debited, events go out", async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const payout = await approvedPayout({ amount: "1.25", address: recipient });
    await runUntilSettled([payout.id]);
    const row = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(row.status).toBe("confirmed");
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(parseEther("1.25"));
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: row.txHash as Hex });
    expect(toBigInt(row.fee)).toBe(receipt.gasUsed * receipt.effectiveGasPrice);
    expect(toBigInt(row.feeReserved)).toBe(0n);
    const fees = await database.db.balanceTransaction.findMany({
      where: { payoutId: payout.id, type: "payout_fee" },
    });
    expect(fees.reduce((sum, entry) => sum + toBigInt(entry.amount), 0n)).toBe(-toBigInt(row.fee));
    const events = await database.db.event.findMany({
      where: { objectId: payout.id },
      orderBy: { createdAt: "asc" },
    });
    expect(events.map((event) => event.type)).toEqual(["payout.created", "payout.sent", "payout.confirmed"]);
    await expectLedgerMatchesHotWallet();
  });

  it("pays out USDC with the gas taken from the ETH balance", async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const payout = await approvedPayout({ token: "USDC", amount: "123.456789", address: recipient });
    await runUntilSettled([payout.id]);
    expect(await fx.tokenBalance(recipient)).toBe(123_456_789n);
    expect((await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } })).status).toBe(
      "confirmed",
    );
    await expectLedgerMatchesHotWallet();
  });

  it("after a crash between recording and broadcasting, sends the very same transaction once", async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const payout = await approvedPayout({ amount: "0.5", address: recipient });
    // The signing step commits, then the process "dies" before broadcasting.
    expect(await signApprovedPayouts(fx.deps, fx.chain, { broadcast: false })).toEqual({
      signed: 1,
      failed: 0,
    });
    const recorded = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(recorded.status).toBe("sent");
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(0n);
    // A restarted runner re-signs nothing and broadcasts the recorded bytes, twice even: one transfer.
    expect(await signApprovedPayouts(fx.deps, fx.chain)).toEqual({ signed: 0, failed: 0 });
    await broadcastSentPayouts(fx.deps, fx.chain);
    await broadcastSentPayouts(fx.deps, fx.chain);
    await runUntilSettled([payout.id]);
    const done = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(done.txHash).toBe(recorded.txHash);
    expect(done.status).toBe("confirmed");
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(parseEther("0.5"));
    await expectLedgerMatchesHotWallet();
  });

  it("fails a payout the chain refuses before sending, and returns its funds", async () => {
    const refuser = privateKeyToAddress(generatePrivateKey());
    await fx.testClient.setCode({ address: refuser, bytecode: "0x60006000fd" }); // REVERT on any call
    const before = await available("ETH");
    const payout = await approvedPayout({ amount: "0.1", address: refuser });
    expect(await available("ETH")).toBe(before - parseEther("0.1"));
    await runPayouts(fx.deps);
    const row = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(row.status).toBe("failed");
    expect(row.txHash).toBeNull();
    expect(await available("ETH")).toBe(before);
    const types = (await database.db.balanceTransaction.findMany({ where: { payoutId: payout.id } })).map(
      (e) => e.type,
    );
    expect(types.sort()).toEqual(["payout", "payout_reversed"]);
    expect(await database.db.event.count({ where: { objectId: payout.id, type: "payout.failed" } })).toBe(1);
    await expectLedgerMatchesHotWallet();
  });

  it("fails a payout whose transaction reverts on chain: the amount returns, the gas spent is kept", async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const before = await available("ETH");
    const payout = await approvedPayout({ amount: "0.2", address: recipient });
    await signApprovedPayouts(fx.deps, fx.chain, { broadcast: false });
    // The recipient turns into a reverting contract between signing and mining.
    await fx.testClient.setCode({ address: recipient, bytecode: "0x60006000fd" });
    await broadcastSentPayouts(fx.deps, fx.chain);
    await runUntilSettled([payout.id]);
    const row = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(row.status).toBe("failed");
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: row.txHash as Hex });
    expect(receipt.status).toBe("reverted");
    const gasSpent = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(toBigInt(row.fee)).toBe(gasSpent);
    expect(await available("ETH")).toBe(before - gasSpent);
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(0n);
    await expectLedgerMatchesHotWallet();
  });

  it("sends 30 payouts of one hot wallet with pipelined nonces; what was sent equals what was debited", async () => {
    const recipients = Array.from({ length: 30 }, () => privateKeyToAddress(generatePrivateKey()));
    const before = await available("USDC");
    const ids: string[] = [];
    for (const address of recipients)
      ids.push((await approvedPayout({ token: "USDC", amount: "1.5", address })).id);
    const signed = await signApprovedPayouts(fx.deps, fx.chain);
    expect(signed).toEqual({ signed: 30, failed: 0 });
    const nonces = (
      await database.db.payout.findMany({ where: { id: { in: ids } }, select: { nonce: true } })
    )
      .map((row) => row.nonce ?? -1)
      .sort((a, b) => a - b);
    expect(new Set(nonces).size).toBe(30);
    expect((nonces.at(-1) ?? 0) - (nonces[0] ?? 0)).toBe(29);
    await runUntilSettled(ids);
    const balances = await Promise.all(recipients.map((address) => fx.tokenBalance(address)));
    expect(balances.every((balance) => balance === 1_500_000n)).toBe(true);
    expect(before - (await available("USDC"))).toBe(45_000_000n);
    await expectLedgerMatchesHotWallet();
    expect(await confirmSentPayouts(fx.deps, fx.chain)).toEqual({ confirmed: 0, failed: 0 });
  });

  it("two runners signing at once sign every payout exactly once", async () => {
    const recipients = Array.from({ length: 6 }, () => privateKeyToAddress(generatePrivateKey()));
    const ids: string[] = [];
    for (const address of recipients)
      ids.push((await approvedPayout({ token: "USDC", amount: "2", address })).id);
    const [a, b] = await Promise.all([
      signApprovedPayouts(fx.deps, fx.chain),
      signApprovedPayouts(fx.deps, fx.chain),
    ]);
    expect((a?.signed ?? 0) + (b?.signed ?? 0)).toBe(6);
    await runUntilSettled(ids);
    for (const address of recipients) expect(await fx.tokenBalance(address)).toBe(2_000_000n);
    await expectLedgerMatchesHotWallet();
  });
});

describe("stuck transactions", () => {
  it("replaces a transaction the node dropped: same nonce, higher price, paid once", async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const payout = await approvedPayout({ token: "USDC", amount: "7", address: recipient });
    await signApprovedPayouts(fx.deps, fx.chain, { broadcast: false }); // never reaches the chain
    const first = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(await replaceStuckPayouts(fx.deps, fx.chain, { stuckAfterMs: 60_000 })).toBe(0); // not yet stuck
    expect(await replaceStuckPayouts(fx.deps, fx.chain, { stuckAfterMs: 0 })).toBe(1);
    const second = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(second.nonce).toBe(first.nonce);
    expect(second.txHash).not.toBe(first.txHash);
    expect(second.replacedTxHashes).toEqual([first.txHash]);
    expect(toBigInt(second.feeReserved)).toBeGreaterThan(toBigInt(first.feeReserved));
    await runUntilSettled([payout.id]);
    // The superseded bytes can no longer be mined: their nonce is used.
    await expect(
      fx.publicClient.sendRawTransaction({ serializedTransaction: first.rawTx as Hex }),
    ).rejects.toThrow();
    const done = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(done).toMatchObject({ status: "confirmed", txHash: second.txHash });
    expect(await fx.tokenBalance(recipient)).toBe(7_000_000n);
    await expectLedgerMatchesHotWallet();
  });

  it("confirms the superseded transaction when it is the one mined, and never pays twice", async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const payout = await approvedPayout({ amount: "0.05", address: recipient });
    await signApprovedPayouts(fx.deps, fx.chain, { broadcast: false });
    const first = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    // Bounded: after five replacements the payout waits for an operator instead of bidding up forever.
    for (let round = 0; round < 6; round++)
      await replaceStuckPayouts(fx.deps, fx.chain, { stuckAfterMs: 0, broadcast: false });
    const capped = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(capped.replacedTxHashes).toHaveLength(5);
    expect(capped.replacedTxHashes[0]).toBe(first.txHash);
    expect(capped.lastError).toMatch(/needs an operator/);
    // The merchant's people are told (once, however often the runner passes).
    await replaceStuckPayouts(fx.deps, fx.chain, { stuckAfterMs: 0, broadcast: false });
    const told = await database.db.notification.findMany({
      where: { kind: "payouts_paused", merchantId: fx.merchant.merchantId },
    });
    expect(told).toEqual([
      expect.objectContaining({
        link: `/dashboard/payouts/${payout.id}`,
        body: expect.stringMatching(/not mined after 5 replacements; needs an operator/),
      }),
    ]);
    // The "stuck" original shows up after all.
    await fx.publicClient.sendRawTransaction({ serializedTransaction: first.rawTx as Hex });
    await runUntilSettled([payout.id]);
    const done = await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } });
    expect(done).toMatchObject({ status: "confirmed", txHash: first.txHash });
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: first.txHash as Hex });
    expect(toBigInt(done.fee)).toBe(receipt.gasUsed * receipt.effectiveGasPrice);
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(parseEther("0.05"));
    await expectLedgerMatchesHotWallet();
  });
});

describe("refunds", () => {
  it("refunds the overpaid part of a settled payment from the balance, on chain", async () => {
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "10", pay: 13_000_000n });
    await fx.sweepAll();
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );
    const customer = privateKeyToAddress(generatePrivateKey());
    const tooMuch = await refundPayment(
      { ...payoutDeps(), actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      {
        address: customer,
        amount: "13.000001",
      },
    ).catch((error: unknown) => error);
    expect((tooMuch as { status?: number }).status).toBe(422);

    const refund = await refundPayment(
      { ...payoutDeps(), actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      {
        address: customer,
        amount: "3",
      },
    );
    expect(refund).toMatchObject({ payment_id: payment.id, amount: "3", status: "pending_approval" });
    const entry = await database.db.balanceTransaction.findFirstOrThrow({ where: { payoutId: refund.id } });
    expect(entry.type).toBe("refund");
    await approvePayout(
      {
        ...payoutDeps(),
        actor: userActor({ merchantId: fx.merchant.merchantId, userId: fx.merchant.userId, role: "owner" }),
      },
      fx.merchant.merchantId,
      refund.id,
    );
    await runUntilSettled([refund.id]);
    expect(await fx.tokenBalance(customer)).toBe(3_000_000n);
    // What is left to refund is 10; by default the rest is refunded.
    const rest = await refundPayment(
      { ...payoutDeps(), actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      { address: customer },
    );
    expect(rest.amount).toBe("10");
    // Reserved, not yet sent: the books hold 10 USDC less than the wallet until it is rejected.
    expect((await fx.tokenBalance(hotWallet)) - (await available("USDC"))).toBe(10_000_000n);
    await expectReconciled(); // the reservation is counted in flight
    await rejectPayout(
      {
        ...payoutDeps(),
        actor: userActor({ merchantId: fx.merchant.merchantId, userId: fx.merchant.userId, role: "owner" }),
      },
      fx.merchant.merchantId,
      rest.id,
    );
    await expectLedgerMatchesHotWallet();
    // Beyond what is left to refund (10 after the refund of 3): 422, nothing reserved.
    const beyond = await refundPayment(
      { ...payoutDeps(), actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      {
        address: customer,
        amount: "10.000001",
      },
    ).catch((error: unknown) => error);
    expect((beyond as { status?: number }).status).toBe(422);

    // The payment's ledger: its settlement credit and every entry of its refunds, each naming both
    // the payment and the refund payout; the payment's refunds are listed as payouts.
    const ledger = await listBalanceTransactions(
      { ...payoutDeps(), actor: OPERATOR },
      fx.merchant.merchantId,
      {
        limit: 100,
        payment_id: payment.id,
      },
    );
    const rows = ledger.data.map((txn) => [txn.type, txn.amount, txn.payment_id, txn.payout_id]);
    expect(rows).toContainEqual(["payment_settled", "13", payment.id, null]);
    expect(rows).toContainEqual(["refund", "-3", payment.id, refund.id]);
    expect(rows).toContainEqual(["refund", "-10", payment.id, rest.id]);
    expect(rows).toContainEqual(["payout_reversed", "10", payment.id, rest.id]);
    expect(ledger.data.every((txn) => txn.payment_id === payment.id)).toBe(true);
    const refunds = await listPayouts({ ...payoutDeps(), actor: OPERATOR }, fx.merchant.merchantId, {
      limit: 10,
      payment_id: payment.id,
    });
    expect(refunds.data.map((payout) => [payout.id, payout.status])).toEqual([
      [rest.id, "rejected"],
      [refund.id, "confirmed"],
    ]);
  });
});

describe("racing payouts", () => {
  it("50 concurrent payouts for one balance: never negative, and what was sent on chain equals what was debited", async () => {
    const before = await available("USDC");
    // Each asks for 1/6.5 of the balance: exactly 6 fit.
    const amount = (before * 2n) / 13n;
    const recipients = Array.from({ length: 50 }, () => privateKeyToAddress(generatePrivateKey()));
    const results = await Promise.allSettled(
      recipients.map((address) =>
        createPayout({ ...payoutDeps(), actor: OPERATOR }, fx.merchant.merchantId, {
          chain: "local",
          token: "USDC",
          amount: formatAmount(amount, 6),
          address,
        }),
      ),
    );
    const created = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    expect(created).toHaveLength(6);
    expect(await available("USDC")).toBeGreaterThanOrEqual(0n);
    for (const payout of created)
      await approvePayout(
        {
          ...payoutDeps(),
          actor: userActor({ merchantId: fx.merchant.merchantId, userId: fx.merchant.userId, role: "owner" }),
        },
        fx.merchant.merchantId,
        payout.id,
      );
    await runUntilSettled(created.map((payout) => payout.id));

    const sent = (await Promise.all(recipients.map((address) => fx.tokenBalance(address)))).reduce(
      (sum, balance) => sum + balance,
      0n,
    );
    const debited = await database.db.balanceTransaction.findMany({
      where: { payoutId: { in: created.map((payout) => payout.id) }, tokenSymbol: "USDC" },
      select: { amount: true },
    });
    expect(sent).toBe(-debited.reduce((sum, entry) => sum + toBigInt(entry.amount), 0n));
    expect(before - (await available("USDC"))).toBe(sent);
    await expectLedgerMatchesHotWallet();
  });
});
