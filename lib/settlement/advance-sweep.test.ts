// Sweeps on a real Anvil node moving real funds, recorded in a real database.
import { type Address, type Hex, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getHealth } from "../health/get-health";
import { renderMetrics } from "../metrics/render-metrics";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { advanceSweep, recordSweepTransaction } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";
import { runSweeps } from "./run-sweeps";

let database: TestDatabase;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
});
afterAll(() => database.drop());

/** Advances the sweep, mining a block between runs, until it is confirmed. */
async function driveToConfirmed(sweepId: string) {
  for (let run = 0; run < 12; run++) {
    const result = await advanceSweep(fx.deps, sweepId);
    if (result.status === "confirmed") return result;
    await fx.mine();
  }
  throw new Error(`sweep ${sweepId} did not confirm`);
}

async function sweepOf(paymentId: string) {
  return database.db.sweep.findFirstOrThrow({ where: { paymentId } });
}

describe("native sweep", () => {
  it("sends balance minus gas limit × max fee, leaves exactly the unspent reserve, records the fee and settles", async () => {
    const payment = await fx.createConfirmedPayment({ amount: "1.5" });
    const treasuryBefore = await fx.publicClient.getBalance({ address: fx.treasury });
    const [sweepId] = await planSweeps(fx.deps);
    expect(sweepId).toMatch(/^swp_/);
    await driveToConfirmed(sweepId ?? "");

    const sweep = await sweepOf(payment.id);
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(receipt.status).toBe("success");
    expect(toBigInt(sweep.fee)).toBe(fee);
    expect(sweep.gasUsed).toBe(receipt.gasUsed);
    // The tip is below the max fee: what the reserve (gas limit × max fee) did not burn stays.
    const signed = parseTransaction(sweep.rawTx as Hex);
    expect(signed.maxPriorityFeePerGas ?? 0n).toBeLessThan(signed.maxFeePerGas ?? 0n);
    const left = await fx.unspentGasReserve(sweep.txHash);
    expect(left).toBeGreaterThan(0n);
    expect(toBigInt(sweep.amount) + fee + left).toBe(payment.amount);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(left);
    expect((await fx.publicClient.getBalance({ address: fx.treasury })) - treasuryBefore).toBe(
      toBigInt(sweep.amount),
    );

    const settled = await database.db.payment.findUniqueOrThrow({
      where: { id: payment.id },
      include: { statusChanges: true },
    });
    expect(settled.status).toBe("settled");
    expect(settled.settledAt).not.toBeNull();
    expect(settled.statusChanges.map((change) => change.toStatus)).toContain("settled");
    const event = await database.db.event.findFirstOrThrow({
      where: { objectId: payment.id, type: "payment.settled" },
    });
    expect(event.data).toMatchObject({
      id: payment.id,
      status: "settled",
      settlement: { sweep_id: sweep.id, tx_hash: sweep.txHash },
    });

    // Running again changes nothing.
    expect((await advanceSweep(fx.deps, sweep.id)).status).toBe("confirmed");
    expect(await planSweeps(fx.deps)).toEqual([]);
    expect(await database.db.event.count({ where: { objectId: payment.id, type: "payment.settled" } })).toBe(
      1,
    );
  });

  it("two concurrent runners plan one sweep and send one transaction", async () => {
    const payment = await fx.createConfirmedPayment({ amount: "0.25" });
    const planned = await Promise.all([planSweeps(fx.deps), planSweeps(fx.deps), runSweeps(fx.deps)]);
    expect(await database.db.sweep.count({ where: { paymentId: payment.id } })).toBe(1);
    expect(planned.flatMap((result) => (Array.isArray(result) ? result : [])).length).toBeLessThanOrEqual(1);
    const sweep = await sweepOf(payment.id);
    for (let run = 0; run < 12; run++) {
      const results = await Promise.all([advanceSweep(fx.deps, sweep.id), advanceSweep(fx.deps, sweep.id)]);
      if (results.some((result) => result.status === "confirmed")) break;
      await fx.mine();
    }
    const swept = await sweepOf(payment.id);
    expect(swept.status).toBe("confirmed");
    // One transaction ever left the deposit address.
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(
      await fx.unspentGasReserve(swept.txHash),
    );
  });

  it("after a crash between recording and broadcasting, re-broadcasts the same transaction", async () => {
    const payment = await fx.createConfirmedPayment({ amount: "0.5" });
    const [sweepId = ""] = await planSweeps(fx.deps);
    // The first half of a step: signed and recorded, then the process "dies" before broadcasting.
    const recorded = await recordSweepTransaction(fx.deps, sweepId);
    expect(recorded.status).toBe("transferring");
    const { txHash, rawTx, nonce } = await sweepOf(payment.id);
    expect(txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(rawTx).toMatch(/^0x/);
    expect(nonce).toBe(0);
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(0);

    await driveToConfirmed(sweepId);
    const after = await sweepOf(payment.id);
    expect(after.txHash).toBe(txHash);
    expect(after.attempts).toBe(0);
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
    expect((await fx.publicClient.getTransactionReceipt({ hash: txHash as Hex })).status).toBe("success");
  });
});

describe("ERC-20 sweep", () => {
  it("waits with a clear error while the gas tank is empty, then tops up exactly and sweeps every token", async () => {
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "25" });
    const [sweepId = ""] = await planSweeps(fx.deps);

    const blocked = await advanceSweep(fx.deps, sweepId);
    expect(blocked.status).toBe("pending");
    expect(blocked.lastError).toMatch(new RegExp(`gas tank ${fx.gasTank} .*fund the gas tank`));
    expect(await fx.tokenBalance(payment.deposit)).toBe(payment.amount);
    // Paused, and said so where operators look: /api/health (degraded) and /api/metrics.
    expect((await sweepOf(payment.id)).pausedReason).toBe("gas_tank_insufficient");
    // …and to the merchant's owners and admins (and the operator with OPS_EMAIL), once per hour.
    await advanceSweep(fx.deps, sweepId);
    expect(
      await database.db.notification.count({
        where: { kind: "sweeps_paused", merchantId: fx.merchant.merchantId },
      }),
    ).toBe(1);
    const paused = await getHealth({ db: database.db, chains: fx.deps.chains });
    expect(paused.status).toBe("degraded");
    expect(paused.settlement).toEqual([
      {
        chain: "local",
        status: "paused",
        open_sweeps: 1,
        paused_sweeps: 1,
        last_error: expect.stringMatching(new RegExp(`gas tank ${fx.gasTank} .*fund the gas tank`)),
      },
    ]);
    expect(await renderMetrics({ db: database.db, chains: fx.deps.chains })).toContain(
      'ctrip_sweeps_paused{chain="local",reason="gas_tank_insufficient"} 1',
    );

    await fx.fundGasTank(10n ** 18n);
    await driveToConfirmed(sweepId);
    const resumed = await getHealth({ db: database.db, chains: fx.deps.chains });
    expect(resumed.settlement).toEqual([
      { chain: "local", status: "ok", open_sweeps: 0, paused_sweeps: 0, last_error: null },
    ]);
    const metrics = await renderMetrics({ db: database.db, chains: fx.deps.chains });
    expect(metrics).toContain('ctrip_sweeps_paused{chain="local",reason="gas_tank_insufficient"} 0');
    expect(metrics).toMatch(/ctrip_sweeps\{chain="local",status="confirmed"\} \d+/);

    const sweep = await sweepOf(payment.id);
    expect(sweep.lastError).toBeNull();
    expect(sweep.pausedReason).toBeNull();
    expect(await fx.tokenBalance(fx.treasury as Address)).toBe(25_000_000n);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    expect(toBigInt(sweep.amount)).toBe(25_000_000n);

    const topUp = await fx.publicClient.getTransactionReceipt({ hash: sweep.gasFundTxHash as Hex });
    const transfer = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const topUpFee = topUp.gasUsed * topUp.effectiveGasPrice;
    const transferFee = transfer.gasUsed * transfer.effectiveGasPrice;
    expect(toBigInt(sweep.gasFundFee ?? { toFixed: () => "-1" })).toBe(topUpFee);
    expect(toBigInt(sweep.fee)).toBe(topUpFee + transferFee);
    // What the top-up left at the deposit address is exactly what the transfer did not burn.
    const leftover = toBigInt(sweep.gasFundAmount ?? { toFixed: () => "-1" }) - transferFee;
    expect(leftover).toBeGreaterThanOrEqual(0n);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(leftover);
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );
  });
});

describe("a crash between recording and broadcasting an ERC-20 sweep", () => {
  it("re-broadcasts the recorded top-up and transfer, the engine's very bytes, never a second one", async () => {
    await fx.fundGasTank(10n ** 18n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "4" });
    const [sweepId = ""] = await planSweeps(fx.deps);
    const tankNonce = await fx.publicClient.getTransactionCount({ address: fx.gasTank });
    const engineRows = (purpose: "sweep" | "sweep_gas_top_up") =>
      database.db.outgoingTransaction.findMany({ where: { ownerId: sweepId, purpose } });

    // Signed and recorded, then the process dies before broadcasting; restarted, it records nothing new.
    expect((await recordSweepTransaction(fx.deps, sweepId)).status).toBe("funding_gas");
    const funding = await sweepOf(payment.id);
    const [topUp, ...noOtherTopUp] = await engineRows("sweep_gas_top_up");
    expect(noOtherTopUp).toEqual([]);
    expect(topUp).toMatchObject({
      status: "pending",
      rawTx: funding.gasFundRawTx,
      txHash: funding.gasFundTxHash,
    });
    expect(await fx.publicClient.getTransactionCount({ address: fx.gasTank })).toBe(tankNonce);
    expect((await recordSweepTransaction(fx.deps, sweepId)).status).toBe("funding_gas");
    expect(await engineRows("sweep_gas_top_up")).toHaveLength(1);

    // The next pass sends those bytes; the transfer is then recorded and the process dies again.
    await advanceSweep(fx.deps, sweepId);
    await fx.mine(fx.chain.confirmations);
    expect((await recordSweepTransaction(fx.deps, sweepId)).status).toBe("gas_funded");
    expect((await recordSweepTransaction(fx.deps, sweepId)).status).toBe("transferring");
    const transferring = await sweepOf(payment.id);
    const [transfer] = await engineRows("sweep");
    expect(transfer).toMatchObject({
      status: "pending",
      rawTx: transferring.rawTx,
      txHash: transferring.txHash,
    });
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(0);

    await driveToConfirmed(sweepId);
    const done = await sweepOf(payment.id);
    expect(done.gasFundTxHash).toBe(funding.gasFundTxHash);
    expect(done.txHash).toBe(transferring.txHash);
    expect(await fx.publicClient.getTransactionCount({ address: fx.gasTank })).toBe(tankNonce + 1);
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
    expect((await engineRows("sweep")).map((row) => row.status)).toEqual(["confirmed"]);
    expect((await engineRows("sweep_gas_top_up")).map((row) => row.status)).toEqual(["confirmed"]);
  });
});

describe("planning", () => {
  it("leaves payments without a treasury or below minSweep unswept", async () => {
    const lowMin = await createSettlementFixture(database.db, { tokenOverrides: { minSweep: "100000000" } });
    const small = await lowMin.createConfirmedPayment({ token: "USDC", amount: "5" });
    expect(await planSweeps(lowMin.deps)).toEqual([]);
    // Enough once more dust arrives? The minimum is on the deposit's balance, not the payment amount.
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: small.id } })).status).toBe(
      "confirmed",
    );
    // Balance mode is swept to the merchant's hot wallet: lib/balances/balance-mode-sweep.test.ts.
    expect(await database.db.sweep.count({ where: { paymentId: small.id } })).toBe(0);
  });
});

// The gas tank's top-ups to deposit addresses use the engine's fee quote: tip below the max fee.
describe("sweep gas top-up fees", () => {
  it("signs the top-up with a tip below its max fee and still sweeps every token", async () => {
    await fx.fundGasTank(10n ** 18n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "7" });
    const [sweepId = ""] = await planSweeps(fx.deps);
    const funding = await advanceSweep(fx.deps, sweepId);
    expect(funding.status).toBe("funding_gas");

    const row = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    const signed = parseTransaction(row.gasFundRawTx as Hex);
    expect(signed.type).toBe("eip1559");
    expect(signed.maxPriorityFeePerGas ?? 0n).toBeGreaterThan(0n);
    expect(signed.maxPriorityFeePerGas ?? 0n).toBeLessThan(signed.maxFeePerGas ?? 0n);
    expect(signed.value).toBe(toBigInt(row.gasFundAmount ?? { toFixed: () => "-1" }));

    for (let run = 0; run < 12; run++) {
      if ((await advanceSweep(fx.deps, sweepId)).status === "confirmed") break;
      await fx.mine();
    }
    const done = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(done.status).toBe("confirmed");
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    // The tank paid gas used × effective price (base fee + tip), not gas × max fee.
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: done.gasFundTxHash as Hex });
    expect(receipt.effectiveGasPrice).toBeLessThan(signed.maxFeePerGas ?? 0n);
    expect(toBigInt(done.gasFundFee ?? { toFixed: () => "-1" })).toBe(
      receipt.gasUsed * receipt.effectiveGasPrice,
    );
  });
});
