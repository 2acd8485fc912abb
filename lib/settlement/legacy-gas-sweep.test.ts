// A chain without EIP-1559 (Anvil on the berlin hardfork, a test file's own node): the fee quote
// falls back to the legacy gas price, and a native sweep still leaves exactly 0 wei behind. A chain
// configured with the legacy fee model (its own node, with EIP-1559): a token sweep signed after the
// quote fell pays the quote's gas price, never the higher one its top-up was for.
import { type Hex, parseEther, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBigInt } from "../payments/payment-object";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { quoteFees } from "../transactions/fees/quote-fees";
import { transactionPolicyOf } from "../transactions/fees/transaction-policy";
import { clientOf } from "../transactions/transaction-deps";
import { advanceSweep } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";
import { reconcileChain } from "./reconcile-chain";

let database: TestDatabase;
let anvil: RunningAnvil;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort(), hardfork: "berlin" });
  fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl, legacyChain: true });
});
afterAll(async () => {
  await anvil?.stop();
  await database?.drop();
});

describe("legacy gas price chains", () => {
  it("quotes the legacy gas price and sweeps native coin to exactly 0 wei", async () => {
    const chain = fx.deps.chains[0];
    if (!chain) throw new Error("no chain");
    const quote = await quoteFees(clientOf(fx.deps, chain), { chain, maxAgeMs: 0 });
    if (quote.type !== "legacy") throw new Error(`a legacy quote expected, got ${quote.type}`);
    expect(quote.gasPrice).toBeGreaterThan(0n);

    const payment = await fx.createConfirmedPayment({ amount: "0.75" });
    const [sweepId = ""] = await planSweeps(fx.deps);
    for (let run = 0; run < 12 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(sweep.status).toBe("confirmed");
    const transaction = await fx.publicClient.getTransaction({ hash: sweep.txHash as Hex });
    expect(transaction.type).toBe("legacy");
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    expect(toBigInt(sweep.amount) + receipt.gasUsed * receipt.effectiveGasPrice).toBe(payment.amount);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(0n);
    expect(await fx.publicClient.getBalance({ address: fx.treasury })).toBe(toBigInt(sweep.amount));
  });
});

describe("a chain configured with legacy gas prices", () => {
  let own: RunningAnvil;
  let legacy: SettlementFixture;
  beforeAll(async () => {
    own = await startAnvil({ port: await freePort() });
    legacy = await createSettlementFixture(database.db, { rpcUrl: own.rpcUrl, feeModel: "legacy" });
  });
  afterAll(() => own?.stop());

  async function gasPriceNow() {
    const chain = legacy.chain;
    const quote = await quoteFees(clientOf(legacy.deps, chain), { chain, maxAgeMs: 0 });
    if (quote.type !== "legacy") throw new Error(`a legacy quote expected, got ${quote.type}`);
    return quote.gasPrice;
  }

  it("pays the current gas price for a token transfer when it fell since the top-up; the rest stays at the deposit", async () => {
    await legacy.fundGasTank(parseEther("1"));
    const payment = await legacy.createConfirmedPayment({ token: "USDC", amount: "3" });
    const [sweepId = ""] = await planSweeps(legacy.deps);
    const chain = legacy.chain;
    await legacy.mineAtBaseFee(5_000_000_000n);
    const topUpPrice = await gasPriceNow();
    expect((await advanceSweep(legacy.deps, sweepId)).status).toBe("funding_gas");
    await legacy.mineAtBaseFee(1_000_000_000n);
    const transferPrice = await gasPriceNow();
    expect(transferPrice * 2n).toBeLessThan(topUpPrice);
    for (let run = 0; run < 8 && (await advanceSweep(legacy.deps, sweepId)).status !== "confirmed"; run++)
      await legacy.mine();

    const sweep = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(sweep.status).toBe("confirmed");
    const transfer = await legacy.publicClient.getTransaction({ hash: sweep.txHash as Hex });
    expect(transfer.type).toBe("legacy");
    expect(transfer.gasPrice).toBe(transferPrice);
    const receipt = await legacy.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const left = toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" }) - receipt.gasUsed * transferPrice;
    expect(left).toBeGreaterThan(0n);
    expect(await legacy.publicClient.getBalance({ address: payment.deposit })).toBe(left);
    const reconciliation = await reconcileChain(legacy.deps, { chain: chain.name });
    expect(reconciliation.flagged_gas).toEqual([]);
    expect(reconciliation.gas.difference).toBe("0");
  });
  it("replaces a stuck token transfer at the policy's gas price, not at all the extra top-up affords, when the quote fell", async () => {
    let clock = Date.now();
    const deps = { ...legacy.deps, now: () => new Date(clock), replaceAfterMs: 60_000 };
    await legacy.fundGasTank(parseEther("1"));
    const payment = await legacy.createConfirmedPayment({ token: "USDC", amount: "4" });
    const [sweepId = ""] = await planSweeps(deps);
    let stuckPrice = 0n;
    let replacementPrice = 0n;
    await legacy.testClient.setAutomine(false);
    try {
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      await legacy.mine(legacy.chain.confirmations);
      expect((await advanceSweep(deps, sweepId)).status).toBe("transferring");
      const stuck = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
      stuckPrice = parseTransaction(stuck.rawTx as Hex).gasPrice ?? 0n;
      // Priced out (the base fee 3 × its gas price) past the replacement timeout: an extra top-up at
      // that high quote…
      await legacy.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: stuckPrice * 3n });
      await legacy.mine();
      clock += 61_000;
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      await legacy.mine(legacy.chain.confirmations);
      // …then the base fee falls to 1.5 × the stuck price (it stays unmineable).
      await legacy.mineAtBaseFee((stuckPrice * 3n) / 2n);
      const quote = await gasPriceNow();
      expect(await advanceSweep(deps, sweepId)).toMatchObject({ status: "transferring" });
      const replaced = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
      expect(replaced.replacedTxHashes).toEqual([stuck.txHash]);
      replacementPrice = parseTransaction(replaced.rawTx as Hex).gasPrice ?? 0n;
      const { bumpBasisPoints } = transactionPolicyOf(legacy.chain);
      const bumped = (stuckPrice * (10_000n + bumpBasisPoints) + 9_999n) / 10_000n;
      expect(replacementPrice).toBe(quote > bumped ? quote : bumped);
      const held = await legacy.publicClient.getBalance({ address: payment.deposit });
      const gas = parseTransaction(replaced.rawTx as Hex).gas ?? 0n;
      expect(held).toBeGreaterThan(gas * replacementPrice);
      await legacy.mine();
    } finally {
      await legacy.testClient.setAutomine(true);
    }
    for (let run = 0; run < 8 && (await advanceSweep(deps, sweepId)).status !== "confirmed"; run++)
      await legacy.mine();
    const sweep = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(sweep.status).toBe("confirmed");
    const receipt = await legacy.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    expect(receipt.effectiveGasPrice).toBe(replacementPrice);
    expect(await legacy.publicClient.getBalance({ address: payment.deposit })).toBe(
      toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" }) - receipt.gasUsed * replacementPrice,
    );
    const reconciliation = await reconcileChain(deps, { chain: legacy.chain.name });
    expect(reconciliation.flagged_gas).toEqual([]);
  });
});
