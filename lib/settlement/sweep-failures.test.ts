// Failure and contention paths of the sweeper on the real Anvil node: a reverted ERC-20 transfer is
// retried and never settles the payment on its own; 20 USDC sweeps of one merchant advanced by
// concurrent runners share the gas tank without a nonce clash; dust below `minSweep` waits until
// more arrives.
import {
  type Address,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  http,
  keccak256,
  parseEther,
  parseTransaction,
  toHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockUsdcAbi } from "../devnet/mock-usdc";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { advanceSweep, broadcastSweepTransaction, recordSweepTransaction } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";
import { reconcileChain } from "./reconcile-chain";
import { runSweeps } from "./run-sweeps";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

async function sweepOf(paymentId: string) {
  return database.db.sweep.findFirstOrThrow({ where: { paymentId } });
}

async function paymentStatus(paymentId: string) {
  return (await database.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).status;
}

/** Mints mock USDC (public mint) from the fixture's payer. */
async function mint(fx: SettlementFixture, to: Address, amount: bigint) {
  const wallet = createWalletClient({ account: fx.payer, transport: http(fx.rpcUrl) });
  const hash = await wallet.writeContract({
    chain: null,
    address: fx.tokenAddress,
    abi: mockUsdcAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await fx.publicClient.waitForTransactionReceipt({ hash });
}

describe("reverted sweep", () => {
  it("records the revert and its fee, keeps the payment confirmed, and settles on the retry", async () => {
    const fx = await createSettlementFixture(database.db);
    await fx.fundGasTank(parseEther("1"));
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "25" });
    const [sweepId = ""] = await planSweeps(fx.deps);

    // Top-up sent and confirmed, the token transfer signed and recorded but not yet broadcast.
    expect((await recordSweepTransaction(fx.deps, sweepId)).status).toBe("funding_gas");
    await broadcastSweepTransaction(fx.deps, sweepId);
    await fx.mine(2);
    expect((await recordSweepTransaction(fx.deps, sweepId)).status).toBe("gas_funded");
    expect((await recordSweepTransaction(fx.deps, sweepId)).status).toBe("transferring");
    const doomed = await sweepOf(payment.id);

    // The deposit's tokens vanish before the transfer lands (OpenZeppelin ERC20: balances at slot 0),
    // so the signed transfer reverts on chain.
    const balanceSlot = keccak256(
      encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [payment.deposit, 0n]),
    );
    await fx.testClient.setStorageAt({
      address: fx.tokenAddress,
      index: balanceSlot,
      value: toHex(0n, { size: 32 }),
    });
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    for (let run = 0; run < 4; run++) {
      await advanceSweep(fx.deps, sweepId);
      await fx.mine();
    }
    const reverted = await fx.publicClient.getTransactionReceipt({ hash: doomed.txHash as Hex });
    expect(reverted.status).toBe("reverted");
    const afterRevert = await sweepOf(payment.id);
    expect(afterRevert.status).toBe("pending");
    expect(afterRevert.attempts).toBe(1);
    expect(afterRevert.txHash).toBeNull();
    expect(afterRevert.revertedTxHashes).toEqual([doomed.txHash]);
    expect(afterRevert.lastError).toMatch(/reverted; retrying|holds no tokens to sweep/);
    expect(await paymentStatus(payment.id)).toBe("confirmed");
    expect(await database.db.event.count({ where: { objectId: payment.id, type: "payment.settled" } })).toBe(
      0,
    );
    const topUpReceipt = await fx.publicClient.getTransactionReceipt({ hash: doomed.gasFundTxHash as Hex });
    const revertFee = reverted.gasUsed * reverted.effectiveGasPrice;
    expect(toBigInt(afterRevert.fee)).toBe(topUpReceipt.gasUsed * topUpReceipt.effectiveGasPrice + revertFee);

    // The tokens come back: the retry tops up what the revert burnt and sweeps every unit.
    await mint(fx, payment.deposit, 25_000_000n);
    for (let run = 0; run < 12 && (await sweepOf(payment.id)).status !== "confirmed"; run++) {
      await advanceSweep(fx.deps, sweepId);
      await fx.mine();
    }
    const sweep = await sweepOf(payment.id);
    expect(sweep.status).toBe("confirmed");
    expect(sweep.txHash).not.toBe(doomed.txHash);
    expect(sweep.revertedTxHashes).toEqual([doomed.txHash]);
    expect((await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex })).status).toBe(
      "success",
    );
    expect(await fx.tokenBalance(fx.treasury)).toBe(25_000_000n);
    expect(await paymentStatus(payment.id)).toBe("settled");
    const settled = await database.db.event.findFirstOrThrow({
      where: { objectId: payment.id, type: "payment.settled" },
    });
    expect(settled.data).toMatchObject({ settlement: { tx_hash: sweep.txHash } });
  });
});

describe("one merchant, many deposits", () => {
  it("20 USDC sweeps advanced by concurrent runners: one top-up each, no nonce used twice, exact totals", async () => {
    const fx = await createSettlementFixture(database.db);
    await fx.fundGasTank(parseEther("5"));
    const payments = [];
    for (let i = 1; i <= 20; i++)
      payments.push(await fx.createConfirmedPayment({ token: "USDC", amount: `${i}.5` }));
    const expected = payments.reduce((sum, payment) => sum + payment.amount, 0n);

    const planned = await planSweeps(fx.deps);
    expect(planned).toHaveLength(20);
    for (let round = 0; round < 15; round++) {
      // Every sweep at once, plus two whole runner passes racing them on the gas tank's nonce.
      await Promise.all([
        ...planned.map((id) => advanceSweep(fx.deps, id).catch(() => undefined)),
        runSweeps(fx.deps),
        runSweeps(fx.deps),
      ]);
      await fx.mine();
      const open = await database.db.sweep.count({
        where: { id: { in: planned }, status: { not: "confirmed" } },
      });
      if (open === 0) break;
    }
    const sweeps = await database.db.sweep.findMany({ where: { id: { in: planned } } });
    expect(sweeps.every((sweep) => sweep.status === "confirmed")).toBe(true);
    expect(await fx.tokenBalance(fx.treasury)).toBe(expected);
    for (const payment of payments) expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    // The gas tank sent exactly one transaction per sweep, nonces 0…19, each once.
    expect(await fx.publicClient.getTransactionCount({ address: fx.gasTank })).toBe(20);
    expect(new Set(sweeps.map((sweep) => sweep.gasFundNonce)).size).toBe(20);
    expect(sweeps.every((sweep) => sweep.attempts === 0)).toBe(true);
    // Every top-up and transfer was signed by the engine with a tip below its max fee.
    const signed = await database.db.outgoingTransaction.findMany({ where: { ownerId: { in: planned } } });
    expect(signed.map((row) => row.purpose).sort()).toEqual([
      ...Array(20).fill("sweep"),
      ...Array(20).fill("sweep_gas_top_up"),
    ]);
    for (const row of signed) {
      const fees = parseTransaction(row.rawTx as Hex);
      expect(fees.maxPriorityFeePerGas ?? 0n).toBeLessThan(fees.maxFeePerGas ?? 0n);
      expect(row.status).toBe("confirmed");
    }
    const statuses = await database.db.payment.findMany({
      where: { id: { in: payments.map((payment) => payment.id) } },
      select: { status: true },
    });
    expect(statuses.every((row) => row.status === "settled")).toBe(true);

    const reconciliation = await reconcileChain(
      { db: database.db, chains: fx.deps.chains },
      { chain: "local", merchantId: fx.merchant.merchantId },
    );
    expect(reconciliation.tokens.find((token) => token.symbol === "USDC")).toMatchObject({
      held_on_chain: "0",
      difference: "0",
    });
  });
});

describe("minimum sweep amount", () => {
  it("leaves dust below the token's minSweep until more arrives, then sweeps all of it", async () => {
    const fx = await createSettlementFixture(database.db, { tokenOverrides: { minSweep: "10000000" } });
    await fx.fundGasTank(parseEther("1"));
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "4" });
    expect(await planSweeps(fx.deps)).toEqual([]);
    await runSweeps(fx.deps);
    expect(await database.db.sweep.count({ where: { paymentId: payment.id } })).toBe(0);

    // More lands on the same deposit address: 4 + 7 = 11 USDC ≥ 10, swept in full.
    await mint(fx, payment.deposit, 7_000_000n);
    const [sweepId = ""] = await planSweeps(fx.deps);
    expect(sweepId).toMatch(/^swp_/);
    for (let run = 0; run < 12 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    expect(toBigInt((await sweepOf(payment.id)).amount)).toBe(11_000_000n);
    expect(await fx.tokenBalance(fx.treasury)).toBe(11_000_000n);
  });
});

describe("ETH at a token deposit address", () => {
  it("is used for the transfer's gas at the quoted price, never burnt as a higher fee", async () => {
    const fx = await createSettlementFixture(database.db);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "2" });
    // The payer also sent 1 ETH to the USDC deposit address: no top-up is needed.
    const wallet = createWalletClient({ account: fx.payer, transport: http(fx.rpcUrl) });
    await fx.publicClient.waitForTransactionReceipt({
      hash: await wallet.sendTransaction({ chain: null, to: payment.deposit, value: parseEther("1") }),
    });
    const [sweepId = ""] = await planSweeps(fx.deps);
    for (let run = 0; run < 12 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    const sweep = await sweepOf(payment.id);
    expect(sweep.gasFundTxHash).toBeNull();
    expect(await fx.tokenBalance(fx.treasury)).toBe(2_000_000n);
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(fee).toBeLessThan(parseEther("0.001"));
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(parseEther("1") - fee);
  });
});
