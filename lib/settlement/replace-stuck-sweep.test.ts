// Stuck transactions, on a test file's own Anvil (mining is switched off and the base fee raised,
// which would disturb other files on the shared node): a sweep or top-up whose fee is below the
// base fee is not mined; after the replacement timeout it is replaced with the same nonce and a
// higher fee, and the replacement settles the payment with exact amounts. A stuck ERC-20 transfer's
// deposit holds exactly the gas of the original fee, so the gas tank first tops up the exact
// difference, then the deposit key re-signs the same transfer with the same nonce and the higher fee;
// killed between any two steps and restarted, no second top-up is sent; if the original is mined
// after all, it is the sweep's transaction. Every wei of gas reconciles.
import { type Hex, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";
import type { TestDatabase } from "../testing/database";
import {
  type OwnSettlementChain,
  type SettlementFixture,
  startOwnSettlementChain,
} from "../testing/settlement-fixture";
import { quoteFees } from "../transactions/fees/quote-fees";
import { maxPricePerGas } from "../transactions/fees/transaction-cost";
import { gasTankSigner } from "../transactions/signing-accounts";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { advanceSweep, recordSweepTransaction } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";
import { reconcileChain } from "./reconcile-chain";

const REPLACE_AFTER_MS = 60_000;

let database: TestDatabase;
let fx: SettlementFixture;
let own: OwnSettlementChain | undefined;
let clock = Date.now();
let deps: TransactionDeps;
beforeAll(async () => {
  own = await startOwnSettlementChain();
  ({ database, fx } = own);
  deps = { ...fx.deps, now: () => new Date(clock), replaceAfterMs: REPLACE_AFTER_MS };
});
afterAll(() => own?.stop());

async function sweepOf(paymentId: string) {
  return database.db.sweep.findFirstOrThrow({ where: { paymentId } });
}

/** Makes the transactions waiting in the pool unmineable: the next block's base fee is above them. */
async function priceOut(gasPrice: bigint) {
  await fx.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: gasPrice * 3n });
  await fx.mine();
}

async function driveToConfirmed(sweepId: string) {
  for (let run = 0; run < 12; run++) {
    const result = await advanceSweep(deps, sweepId);
    if (result.status === "confirmed") return result;
    await fx.mine();
  }
  throw new Error(`sweep ${sweepId} did not confirm`);
}

describe("stuck transactions", () => {
  it("replaces a native sweep not mined after the timeout; the replacement leaves its unspent reserve", async () => {
    const payment = await fx.createConfirmedPayment({ amount: "2" });
    await fx.testClient.setAutomine(false);
    try {
      const [sweepId = ""] = await planSweeps(deps);
      const first = await advanceSweep(deps, sweepId);
      expect(first.status).toBe("transferring");
      const stuck = await sweepOf(payment.id);
      const stuckTx = await fx.publicClient.getTransaction({ hash: stuck.txHash as Hex });
      await priceOut(stuckTx.maxFeePerGas ?? 0n);
      await expect(fx.publicClient.getTransactionReceipt({ hash: stuck.txHash as Hex })).rejects.toThrow();

      // Before the timeout: still waiting on the same transaction.
      clock += REPLACE_AFTER_MS - 1_000;
      await advanceSweep(deps, sweepId);
      expect((await sweepOf(payment.id)).txHash).toBe(stuck.txHash);

      clock += 2_000;
      await advanceSweep(deps, sweepId);
      const replaced = await sweepOf(payment.id);
      expect(replaced.txHash).not.toBe(stuck.txHash);
      expect(replaced.replacedTxHashes).toEqual([stuck.txHash]);
      expect(replaced.nonce).toBe(stuck.nonce);
      expect(replaced.lastError).toMatch(/not mined after 60 s; replaced at \d+ wei\/gas/);
      const replacement = await fx.publicClient.getTransaction({ hash: replaced.txHash as Hex });
      expect(replacement.nonce).toBe(stuckTx.nonce);
      expect(replacement.maxFeePerGas ?? 0n).toBeGreaterThanOrEqual(
        ((stuckTx.maxFeePerGas ?? 0n) * 1125n) / 1000n,
      );

      await driveToConfirmed(sweepId);
      const sweep = await sweepOf(payment.id);
      expect(sweep.txHash).toBe(replaced.txHash);
      const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
      const fee = receipt.gasUsed * receipt.effectiveGasPrice;
      expect(toBigInt(sweep.fee)).toBe(fee);
      // The tip is below the max fee: the replacement's reserve not burnt stays at the deposit.
      const left = await fx.unspentGasReserve(sweep.txHash);
      expect(toBigInt(sweep.amount) + fee + left).toBe(payment.amount);
      expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(left);
      expect(await fx.publicClient.getBalance({ address: fx.treasury })).toBe(toBigInt(sweep.amount));
      expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
      expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
        "settled",
      );
    } finally {
      await fx.testClient.setAutomine(true);
    }
  });

  it("replaces a stuck gas top-up with the same value and nonce; the ERC-20 sweep then completes", async () => {
    await fx.fundGasTank(10n ** 18n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "40" });
    const tankNonceBefore = await fx.publicClient.getTransactionCount({ address: fx.gasTank });
    await fx.testClient.setAutomine(false);
    let stuck: Awaited<ReturnType<typeof sweepOf>>;
    try {
      const [sweepId = ""] = await planSweeps(deps);
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      stuck = await sweepOf(payment.id);
      const stuckTx = await fx.publicClient.getTransaction({ hash: stuck.gasFundTxHash as Hex });
      await priceOut(stuckTx.maxFeePerGas ?? 0n);

      clock += REPLACE_AFTER_MS + 1_000;
      await advanceSweep(deps, sweepId);
      const replaced = await sweepOf(payment.id);
      expect(replaced.gasFundTxHash).not.toBe(stuck.gasFundTxHash);
      expect(replaced.replacedTxHashes).toEqual([stuck.gasFundTxHash]);
      expect(replaced.gasFundNonce).toBe(stuck.gasFundNonce);
      const replacement = await fx.publicClient.getTransaction({ hash: replaced.gasFundTxHash as Hex });
      expect(replacement.value).toBe(stuckTx.value);
      expect(replacement.nonce).toBe(stuckTx.nonce);
    } finally {
      await fx.testClient.setAutomine(true);
    }
    await driveToConfirmed((await sweepOf(payment.id)).id);
    const sweep = await sweepOf(payment.id);
    expect(await fx.tokenBalance(fx.treasury)).toBe(40_000_000n);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    // The stuck top-up was never mined. The base fee tripled meanwhile, so the transfer needed a
    // second top-up of the difference: the gas tank sent exactly those two, nonces in sequence.
    await expect(
      fx.publicClient.getTransactionReceipt({ hash: stuck.gasFundTxHash as Hex }),
    ).rejects.toThrow();
    expect(await fx.publicClient.getTransactionCount({ address: fx.gasTank })).toBe(tankNonceBefore + 2);
    const transfer = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const transferFee = transfer.gasUsed * transfer.effectiveGasPrice;
    expect(toBigInt(sweep.fee)).toBe(toBigInt(sweep.gasFundFee ?? { toFixed: () => "-1" }) + transferFee);
    // The deposit keeps exactly what the top-ups sent and the transfer did not burn.
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(
      toBigInt(sweep.gasFundAmount ?? { toFixed: () => "-1" }) - transferFee,
    );
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );
  });

  it("re-signs a top-up whose nonce another sender of the gas tank's key took", async () => {
    await fx.fundGasTank(10n ** 18n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "9" });
    await fx.testClient.setAutomine(false);
    let taken: number | null = null;
    try {
      const [sweepId = ""] = await planSweeps(deps);
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      const ours = await sweepOf(payment.id);
      taken = ours.gasFundNonce;
      // Someone else with the key (an operator's script) sends with the same nonce; ours is dropped.
      await fx.testClient.dropTransaction({ hash: ours.gasFundTxHash as Hex });
      const tank = gasTankSigner(fx.mnemonic);
      const foreign = await tank.signTransaction({
        chainId: fx.chainId,
        to: fx.payer.address,
        value: 1n,
        gas: 21_000n,
        nonce: taken ?? 0,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
      });
      await fx.publicClient.sendRawTransaction({ serializedTransaction: foreign });
      await fx.mine();
      await expect(
        fx.publicClient.getTransactionReceipt({ hash: ours.gasFundTxHash as Hex }),
      ).rejects.toThrow();

      clock += REPLACE_AFTER_MS + 1_000;
      await advanceSweep(deps, sweepId);
      const resigned = await sweepOf(payment.id);
      expect(resigned.gasFundNonce).toBe((taken ?? 0) + 1);
      expect(resigned.lastError).toMatch(
        /was taken by a transaction not sent by this sweep; re-signed with nonce/,
      );
    } finally {
      await fx.testClient.setAutomine(true);
    }
    await driveToConfirmed((await sweepOf(payment.id)).id);
    expect(await fx.tokenBalance(fx.treasury)).toBe(49_000_000n);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );
  });
});

const ZERO = { toFixed: () => "0" };

/**
 * Mining switched off: the top-up is mined, the transfer signed and broadcast, then priced out (the
 * next blocks' base fee is above its max fee) and the replacement timeout passes.
 */
async function stuckTransfer(amount: string) {
  const payment = await fx.createConfirmedPayment({ token: "USDC", amount });
  await fx.testClient.setAutomine(false);
  const [sweepId = ""] = await planSweeps(deps);
  expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
  await fx.mine(fx.chain.confirmations);
  expect((await advanceSweep(deps, sweepId)).status).toBe("transferring");
  const stuck = await sweepOf(payment.id);
  const stuckTx = await fx.publicClient.getTransaction({ hash: stuck.txHash as Hex });
  const gasAtDeposit = await fx.publicClient.getBalance({ address: payment.deposit });
  // The deposit holds the gas of the original fee (more only when prices fell since its top-up).
  expect(gasAtDeposit).toBeGreaterThanOrEqual(stuckTx.gas * (stuckTx.maxFeePerGas ?? 0n));
  await priceOut(stuckTx.maxFeePerGas ?? 0n);
  await expect(fx.publicClient.getTransactionReceipt({ hash: stuck.txHash as Hex })).rejects.toThrow();
  clock += REPLACE_AFTER_MS + 1_000;
  return { payment, sweepId, stuck, stuckTx, gasAtDeposit };
}

async function settledEvents(paymentId: string) {
  return database.db.event.count({ where: { objectId: paymentId, type: "payment.settled" } });
}

describe("stuck ERC-20 transfer", () => {
  beforeAll(() => fx.fundGasTank(10n ** 18n));

  it("tops up the exact fee difference, replaces the transfer with the same nonce, survives restarts", async () => {
    const tankNonceBefore = await fx.publicClient.getTransactionCount({ address: fx.gasTank });
    const treasuryBefore = await fx.tokenBalance(fx.treasury);
    let scenario: Awaited<ReturnType<typeof stuckTransfer>>;
    let replacementHash: string | null = null;
    try {
      scenario = await stuckTransfer("25");
      const { payment, sweepId, stuck, stuckTx, gasAtDeposit } = scenario;

      // Killed right after the extra top-up is recorded, before it is broadcast.
      expect((await recordSweepTransaction(deps, sweepId)).status).toBe("funding_gas");
      const topping = await sweepOf(payment.id);
      expect(topping.stuckTransferTxHashes).toEqual([stuck.txHash]);
      expect(topping.txHash).toBe(stuck.txHash);
      expect(topping.nonce).toBe(stuck.nonce);
      expect(topping.lastError).toMatch(
        /transfer 0x[0-9a-f]+ not mined; .* the gas tank tops it up by \d+ wei/,
      );
      const extraTopUp = parseTransaction(topping.gasFundRawTx as Hex);
      await expect(fx.publicClient.getTransaction({ hash: topping.gasFundTxHash as Hex })).rejects.toThrow();
      expect(toBigInt(topping.gasFundAmount ?? ZERO)).toBe(gasAtDeposit + (extraTopUp.value ?? 0n));

      // Restarted: the same top-up goes out, not a second one.
      expect((await recordSweepTransaction(deps, sweepId)).status).toBe("funding_gas");
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      expect((await sweepOf(payment.id)).gasFundTxHash).toBe(topping.gasFundTxHash);
      await fx.mine(fx.chain.confirmations);

      // Killed after the top-up is confirmed and the replacement signed, before it is broadcast.
      expect((await recordSweepTransaction(deps, sweepId)).status).toBe("gas_funded");
      expect((await recordSweepTransaction(deps, sweepId)).status).toBe("transferring");
      const replaced = await sweepOf(payment.id);
      replacementHash = replaced.txHash;
      expect(replaced.txHash).not.toBe(stuck.txHash);
      expect(replaced.replacedTxHashes).toEqual([stuck.txHash]);
      expect(replaced.stuckTransferTxHashes).toEqual([]);
      expect(replaced.nonce).toBe(stuck.nonce);
      expect(replaced.gasFundTxHashes).toEqual([stuck.gasFundTxHash, topping.gasFundTxHash]);
      const replacement = parseTransaction(replaced.rawTx as Hex);
      expect(replacement.nonce).toBe(stuckTx.nonce);
      expect(replacement.data).toBe(stuckTx.input);
      expect(replacement.gas).toBe(stuckTx.gas);
      // ≥ +10 % on both the tip and the max fee, as nodes require of a replacement.
      expect((replacement.maxFeePerGas ?? 0n) * 10n).toBeGreaterThanOrEqual(
        (stuckTx.maxFeePerGas ?? 0n) * 11n,
      );
      expect((replacement.maxPriorityFeePerGas ?? 0n) * 10n).toBeGreaterThanOrEqual(
        (stuckTx.maxPriorityFeePerGas ?? 0n) * 11n,
      );
      // The extra top-up was exactly: new max fee × gas limit − what the deposit held.
      expect(extraTopUp.value).toBe(stuckTx.gas * (replacement.maxFeePerGas ?? 0n) - gasAtDeposit);

      // Restarted: the recorded replacement is broadcast; nothing new is signed.
      expect((await advanceSweep(deps, sweepId)).status).toBe("transferring");
      expect((await sweepOf(payment.id)).txHash).toBe(replacementHash);
    } finally {
      await fx.testClient.setAutomine(true);
    }
    const { payment, sweepId, stuck } = scenario;
    await driveToConfirmed(sweepId);
    const sweep = await sweepOf(payment.id);
    expect(sweep.txHash).toBe(replacementHash);
    await expect(fx.publicClient.getTransactionReceipt({ hash: stuck.txHash as Hex })).rejects.toThrow();
    expect(await fx.tokenBalance(fx.treasury)).toBe(treasuryBefore + 25_000_000n);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    // Two top-ups (the first and the extra one), one transfer.
    expect(await fx.publicClient.getTransactionCount({ address: fx.gasTank })).toBe(tankNonceBefore + 2);
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
    const transfer = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const transferFee = transfer.gasUsed * transfer.effectiveGasPrice;
    expect(sweep.gasUsed).toBe(transfer.gasUsed);
    expect(toBigInt(sweep.fee)).toBe(toBigInt(sweep.gasFundFee ?? ZERO) + transferFee);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(
      toBigInt(sweep.gasFundAmount ?? ZERO) - transferFee,
    );
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );
    expect(await settledEvents(payment.id)).toBe(1);
  });

  it("spends the whole extra top-up on the replacement when the quote fell after it", async () => {
    let scenario: Awaited<ReturnType<typeof stuckTransfer>>;
    try {
      scenario = await stuckTransfer("9");
      const { payment, sweepId, stuckTx } = scenario;
      const stuckMaxFee = stuckTx.maxFeePerGas ?? 0n;
      // The extra top-up is for the quote of the priced-out chain (a base fee of 3 × the stuck max fee)…
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      await fx.mine(fx.chain.confirmations);
      // …then the base fee falls to half of that, still above the stuck transfer's max fee: the
      // replacement's quote is about half of what the deposit now affords.
      await fx.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: (stuckMaxFee * 3n) / 2n });
      await fx.mine();
      const held = await fx.publicClient.getBalance({ address: payment.deposit });
      expect(await advanceSweep(deps, sweepId)).toMatchObject({ status: "transferring" });
      const replaced = await sweepOf(payment.id);
      expect(replaced.replacedTxHashes).toEqual([scenario.stuck.txHash]);
      const replacement = parseTransaction(replaced.rawTx as Hex);
      const quote = await quoteFees(fx.publicClient, { chain: fx.chain, maxAgeMs: 0 });
      expect((replacement.maxFeePerGas ?? 0n) * 2n).toBeGreaterThan(maxPricePerGas(quote) * 3n);
      // Every wei at the deposit is the replacement's gas limit × max fee (nothing left unspendable).
      expect(held).toBe(toBigInt(replaced.gasFundAmount ?? ZERO));
      expect(held - stuckTx.gas * (replacement.maxFeePerGas ?? 0n)).toBe(0n);
      await fx.mine();
    } finally {
      await fx.testClient.setAutomine(true);
    }
    const { payment, sweepId } = scenario;
    await driveToConfirmed(sweepId);
    const sweep = await sweepOf(payment.id);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    const transfer = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(
      toBigInt(sweep.gasFundAmount ?? ZERO) - transfer.gasUsed * transfer.effectiveGasPrice,
    );
  });

  it("records the original transfer when it is mined while the extra top-up is in flight", async () => {
    let scenario: Awaited<ReturnType<typeof stuckTransfer>>;
    try {
      scenario = await stuckTransfer("7.5");
      const { payment, sweepId, stuckTx } = scenario;
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      expect((await sweepOf(payment.id)).stuckTransferTxHashes).toEqual([scenario.stuck.txHash]);
      // The base fee falls back and another node still has the original: the top-up and the
      // original transfer are mined in one block.
      await fx.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: (stuckTx.maxFeePerGas ?? 0n) / 2n });
      await fx.publicClient
        .sendRawTransaction({ serializedTransaction: scenario.stuck.rawTx as Hex })
        .catch(() => undefined);
      await fx.mine();
      expect(
        (await fx.publicClient.getTransactionReceipt({ hash: scenario.stuck.txHash as Hex })).status,
      ).toBe("success");
    } finally {
      await fx.testClient.setAutomine(true);
    }
    const { payment, sweepId, stuck } = scenario;
    await driveToConfirmed(sweepId);
    const sweep = await sweepOf(payment.id);
    expect(sweep.txHash).toBe(stuck.txHash);
    expect(sweep.stuckTransferTxHashes).toEqual([]);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
    const transfer = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const transferFee = transfer.gasUsed * transfer.effectiveGasPrice;
    expect(toBigInt(sweep.fee)).toBe(toBigInt(sweep.gasFundFee ?? ZERO) + transferFee);
    // The extra top-up was not needed after all: it stays at the deposit, accounted for.
    const leftover = await fx.publicClient.getBalance({ address: payment.deposit });
    expect(leftover).toBe(toBigInt(sweep.gasFundAmount ?? ZERO) - transferFee);
    expect(leftover).toBeGreaterThan(0n);
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );
    expect(await settledEvents(payment.id)).toBe(1);

    // Both scenarios' gas reconciles to the wei.
    const reconciliation = await reconcileChain(deps, { chain: fx.chain.name });
    expect(reconciliation.flagged_gas).toEqual([]);
    expect(reconciliation.gas.difference).toBe("0");
    expect(reconciliation.flagged_payments).toEqual([]);
    const sweeps = await database.db.sweep.findMany({ where: { tokenAddress: { not: null } } });
    const sum = (pick: (row: (typeof sweeps)[number]) => bigint) =>
      sweeps.reduce((total, row) => total + pick(row), 0n);
    const topUps = sum((row) => toBigInt(row.gasFundAmount ?? ZERO));
    const topUpFees = sum((row) => toBigInt(row.gasFundFee ?? ZERO));
    expect(reconciliation.gas.top_ups).toBe(formatAmount(topUps, 18));
    expect(reconciliation.gas.deposit_fees).toBe(
      formatAmount(sum((row) => toBigInt(row.fee)) - topUpFees, 18),
    );
    expect(reconciliation.gas.gas_tank_spent).toBe(formatAmount(topUps + topUpFees, 18));
    let held = 0n;
    for (const row of sweeps) held += await fx.publicClient.getBalance({ address: row.fromAddress as Hex });
    expect(reconciliation.gas.held_on_chain).toBe(formatAmount(held, 18));
  });
});
