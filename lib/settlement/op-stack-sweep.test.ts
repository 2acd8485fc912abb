// Sweeps on an OP-stack-like devnet (a test file's own Anvil behind a node stand-in that charges the
// L1 data fee as an OP node does: lib/testing/fee-model-devnet.ts). A native sweep sends the balance
// less gas limit × max fee and the L1 fee reserve; the deposit keeps exactly what the engine reserved
// and the transaction did not burn; the recorded fee includes the L1 fee; reconciliation is 0.

import { type Hex, hexToBigInt, parseAbi, parseEther, parseTransaction, serializeTransaction } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type OpStackDevnet, startOpStackDevnet } from "../testing/fee-model-devnet";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { GAS_PRICE_ORACLE_ADDRESS } from "../transactions/fees/fee-model";
import { quoteFees } from "../transactions/fees/quote-fees";
import { feeFieldsOf, maxPricePerGas, maxTransactionCost } from "../transactions/fees/transaction-cost";
import { WIDEST_NONCE } from "../transactions/quote-outgoing-cost";
import { clientOf } from "../transactions/transaction-deps";
import { advanceSweep } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";
import { reconcileChain } from "./reconcile-chain";

const L1_FEE_PER_BYTE = 50_000_000n;

let database: TestDatabase;
let anvil: RunningAnvil;
let devnet: OpStackDevnet;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort() });
  devnet = await startOpStackDevnet(anvil.rpcUrl, { l1FeePerByte: L1_FEE_PER_BYTE });
  fx = await createSettlementFixture(database.db, { rpcUrl: devnet.url });
});
afterAll(async () => {
  await devnet?.close();
  await anvil?.stop();
  await database?.drop();
});

/** The engine's record of the sweep's (purpose `sweep`) or its top-up's transaction. */
function engineRow(sweepId: string, purpose: "sweep" | "sweep_gas_top_up") {
  return database.db.outgoingTransaction.findFirstOrThrow({
    where: { ownerId: sweepId, purpose },
    orderBy: { createdAt: "desc" },
  });
}

describe("the OP-stack-like devnet", () => {
  it("refuses a transfer of balance − gas × max fee that leaves nothing for the L1 fee", async () => {
    const sender = privateKeyToAccount(generatePrivateKey());
    const balance = parseEther("0.1");
    await fx.testClient.setBalance({ address: sender.address, value: balance });
    const chain = fx.deps.chains[0];
    if (!chain) throw new Error("no chain");
    const fees = feeFieldsOf(await quoteFees(clientOf(fx.deps, chain), { chain, maxAgeMs: 0 }));
    const rawTx = await sender.signTransaction({
      chainId: fx.chainId,
      to: fx.treasury,
      value: balance - maxTransactionCost(fees, 21_000n, 0n),
      gas: 21_000n,
      nonce: 0,
      ...fees,
    });
    await expect(fx.publicClient.sendRawTransaction({ serializedTransaction: rawTx })).rejects.toThrow(
      /l1 data fee/,
    );
  });
});

describe("a native sweep on an OP-stack chain", () => {
  it("keeps exactly the unspent gas and L1 reserves at the deposit; the fee includes the L1 fee; reconciles to 0", async () => {
    const payment = await fx.createConfirmedPayment({ amount: "1.5" });
    const before = await fx.publicClient.getBalance({ address: payment.deposit });
    expect(before).toBe(payment.amount);
    await fx.sweepAll();
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(sweep.status).toBe("confirmed");
    const hash = sweep.txHash as Hex;
    const signed = parseTransaction(sweep.rawTx as Hex);
    const receipt = await fx.publicClient.getTransactionReceipt({ hash });
    const l1Paid = devnet.l1FeeOf(hash) ?? -1n;
    expect(l1Paid).toBeGreaterThan(0n);
    // The node reports the L1 fee on the receipt, as OP nodes do.
    expect(hexToBigInt((receipt as unknown as { l1Fee: Hex }).l1Fee)).toBe(l1Paid);

    // What the engine reserved: gas limit × max fee + the L1 fee quoted (on bytes at least as long).
    const engine = await engineRow(sweep.id, "sweep");
    const l1Reserved = toBigInt(engine.l1Fee);
    expect(l1Reserved).toBeGreaterThanOrEqual(l1Paid);
    const maxFee = signed.maxFeePerGas ?? 0n;
    expect(signed.maxPriorityFeePerGas ?? 0n).toBeLessThan(maxFee);
    const gasReserved = (signed.gas ?? 0n) * maxFee;
    const value = signed.value ?? 0n;
    expect(value).toBe(before - gasReserved - l1Reserved);
    expect(toBigInt(sweep.amount)).toBe(value);

    // What stays: the balance before, less what was sent, the gas burnt and the L1 fee charged —
    // exactly the reserves less what was actually paid.
    const gasPaid = receipt.gasUsed * receipt.effectiveGasPrice;
    const remaining = await fx.publicClient.getBalance({ address: payment.deposit });
    expect(before - value - gasPaid - l1Paid).toBe(remaining);
    expect(remaining).toBe(gasReserved + l1Reserved - (gasPaid + l1Paid));
    expect(remaining).toBeGreaterThan(0n);
    expect(await fx.publicClient.getBalance({ address: fx.treasury })).toBe(value);

    // The recorded fee is what the deposit paid: gas and L1 fee.
    expect(toBigInt(sweep.fee)).toBe(gasPaid + l1Paid);
    expect(toBigInt(engine.feePaid ?? { toFixed: () => "-1" })).toBe(gasPaid + l1Paid);

    const reconciliation = await reconcileChain(fx.deps, { chain: fx.chain.name });
    expect(reconciliation.flagged_payments).toEqual([]);
    expect(reconciliation.tokens.find((token) => token.symbol === "ETH")).toEqual({
      symbol: "ETH",
      received: "1.5",
      swept: formatAmount(value, 18),
      fees: formatAmount(gasPaid + l1Paid, 18),
      held_on_chain: formatAmount(remaining, 18),
      difference: "0",
    });
  });
});

describe("an ERC-20 sweep on an OP-stack chain", () => {
  it("tops the deposit up for the transfer's gas and L1 fee; every wei of gas reconciles", async () => {
    await fx.fundGasTank(parseEther("1"));
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "12" });
    await fx.sweepAll();
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(sweep.status).toBe("confirmed");
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);

    // The top-up covered the transfer's L1 fee too, and each transaction's fee includes its own.
    const transfer = await engineRow(sweep.id, "sweep");
    const topUp = await engineRow(sweep.id, "sweep_gas_top_up");
    const transferL1 = devnet.l1FeeOf(sweep.txHash ?? "") ?? -1n;
    const topUpL1 = devnet.l1FeeOf(sweep.gasFundTxHash ?? "") ?? -1n;
    expect(transferL1).toBeGreaterThan(0n);
    expect(topUpL1).toBeGreaterThan(0n);
    const signedTransfer = parseTransaction(sweep.rawTx as Hex);
    expect(toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" })).toBe(
      (signedTransfer.gas ?? 0n) * (signedTransfer.maxFeePerGas ?? 0n) + toBigInt(transfer.l1Fee),
    );
    const topUpReceipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.gasFundTxHash as Hex });
    const transferReceipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const topUpFee = topUpReceipt.gasUsed * topUpReceipt.effectiveGasPrice + topUpL1;
    const transferFee = transferReceipt.gasUsed * transferReceipt.effectiveGasPrice + transferL1;
    expect(toBigInt(topUp.feePaid ?? { toFixed: () => "-1" })).toBe(topUpFee);
    expect(toBigInt(sweep.gasFundFee ?? { toFixed: () => "-1" })).toBe(topUpFee);
    expect(toBigInt(sweep.fee)).toBe(topUpFee + transferFee);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(
      toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" }) - transferFee,
    );

    const reconciliation = await reconcileChain(fx.deps, { chain: fx.chain.name });
    expect(reconciliation.flagged_gas).toEqual([]);
    expect(reconciliation.gas.difference).toBe("0");
    expect(reconciliation.flagged_payments).toEqual([]);
    expect(reconciliation.tokens.every((token) => token.difference === "0")).toBe(true);
  });

  it("spends the gas it topped up when the quote fell meanwhile, with the L1 fee of the transfer's own bytes", async () => {
    await fx.fundGasTank(parseEther("1"));
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "7" });
    const [sweepId = ""] = await planSweeps(fx.deps);
    const chain = fx.chain;
    const client = clientOf(fx.deps, chain);
    const freshQuote = async () =>
      maxPricePerGas(feeFieldsOf(await quoteFees(client, { chain, maxAgeMs: 0 })));
    // The top-up is quoted at a max fee of 5 bytes (≥ 2^32 wei)…
    await fx.mineAtBaseFee(2_500_000_000n);
    const topUpQuote = await freshQuote();
    expect(topUpQuote).toBeGreaterThanOrEqual(2n ** 32n);
    expect((await advanceSweep(fx.deps, sweepId)).status).toBe("funding_gas");
    const topUpSent = toBigInt(
      (await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } })).gasFundAmount ?? {
        toFixed: () => "0",
      },
    );
    // …the transfer after a fall of the base fee to less than half: its quote has 4 bytes and is
    // below two thirds of the top-up's.
    await fx.mineAtBaseFee(1_200_000_000n);
    const transferQuote = await freshQuote();
    expect(transferQuote).toBeLessThan(2n ** 32n);
    expect(transferQuote * 3n).toBeLessThan(topUpQuote * 2n);
    for (let run = 0; run < 8 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();

    const sweep = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(sweep.status).toBe("confirmed");
    expect(toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" })).toBe(topUpSent);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    // Signed at the max fee the top-up affords (5 bytes, like the top-up's quote), its L1 fee reserved
    // on the bytes signed (the nonce as wide as any): never less than what the node charged.
    const transfer = await engineRow(sweep.id, "sweep");
    const signed = parseTransaction(sweep.rawTx as Hex);
    const gas = signed.gas ?? 0n;
    const maxFee = signed.maxFeePerGas ?? 0n;
    expect(maxFee).toBeGreaterThanOrEqual(2n ** 32n);
    const { r: _r, s: _s, v: _v, yParity: _yParity, ...unsigned } = signed;
    const ownBytesFee = await fx.publicClient.readContract({
      address: GAS_PRICE_ORACLE_ADDRESS,
      abi: parseAbi(["function getL1Fee(bytes _data) view returns (uint256)"]),
      functionName: "getL1Fee",
      args: [serializeTransaction({ ...unsigned, nonce: WIDEST_NONCE })],
    });
    expect(toBigInt(transfer.l1Fee)).toBe(ownBytesFee);
    expect(devnet.l1FeeOf(sweep.txHash ?? "")).toBeLessThanOrEqual(ownBytesFee);
    // Nothing of the top-up is left unspendable but the rounding of the max fee to a whole wei per gas.
    const reserved = gas * maxFee + toBigInt(transfer.l1Fee);
    expect(reserved).toBeLessThanOrEqual(topUpSent);
    expect(topUpSent - reserved).toBeLessThan(gas);

    const reconciliation = await reconcileChain(fx.deps, { chain: chain.name });
    expect(reconciliation.flagged_gas).toEqual([]);
    expect(reconciliation.gas.difference).toBe("0");
  });
});
