// Reorg safety of balance mode, on a test file's own Anvil (a reorg would disturb other files on the
// shared node): a sweep into the hot wallet is credited only once it has the chain's required
// confirmations, and a payout is `confirmed` only then; a reorg that removes either transaction
// before that point credits / confirms nothing, and the same recorded transaction is re-sent and
// counted exactly once.
import { type Hex, parseEther, TransactionReceiptNotFoundError } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { toBigInt } from "../payments/payment-object";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { advanceSweep } from "../settlement/advance-sweep";
import { planSweeps } from "../settlement/plan-sweeps";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { confirmSentPayouts } from "./confirm-sent-payouts";
import { runPayouts, signApprovedPayouts } from "./run-payouts";

let database: TestDatabase;
let anvil: RunningAnvil;
let fx: SettlementFixture;
let hotWallet: `0x${string}`;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort() });
  fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl });
  hotWallet = await fx.useBalanceMode();
});
afterAll(async () => {
  await anvil?.stop();
  await database?.drop();
});

/** Replaces the head block by an empty one: its transactions are dropped, not re-queued. */
const reorgHead = () => fx.testClient.request({ method: "anvil_reorg" as never, params: [1, []] as never });

async function isMined(hash: string): Promise<boolean> {
  try {
    await fx.publicClient.getTransactionReceipt({ hash: hash as Hex });
    return true;
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return false;
    throw error;
  }
}

async function ethAvailable(): Promise<bigint> {
  const row = await database.db.balance.findUnique({
    where: {
      merchantId_chain_tokenSymbol: {
        merchantId: fx.merchant.merchantId,
        chain: "local",
        tokenSymbol: "ETH",
      },
    },
  });
  return row ? toBigInt(row.available) : 0n;
}

describe("reorgs in balance mode", () => {
  it("credits a sweep into the hot wallet only after its confirmations; a reorg before that credits nothing, and the re-sent sweep is credited once", async () => {
    const payment = await fx.createConfirmedPayment({ amount: "2" });
    const [sweepId] = await planSweeps(fx.deps);
    if (!sweepId) throw new Error("no sweep planned");
    // Signed, broadcast and mined in the head block: one confirmation of the two required.
    const sent = await advanceSweep(fx.deps, sweepId);
    expect(sent.status).toBe("transferring");
    const sweep = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(await isMined(sweep.txHash ?? "")).toBe(true);
    expect(await database.db.balanceTransaction.count({ where: { paymentId: payment.id } })).toBe(0);

    await reorgHead();
    expect(await isMined(sweep.txHash ?? "")).toBe(false);
    expect((await advanceSweep(fx.deps, sweepId)).status).not.toBe("confirmed");
    expect(await database.db.balanceTransaction.count({ where: { paymentId: payment.id } })).toBe(0);

    for (let round = 0; round < 10; round++) {
      if ((await advanceSweep(fx.deps, sweepId)).status === "confirmed") break;
      await fx.mine();
    }
    const settled = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(settled.status).toBe("confirmed");
    expect(settled.txHash).toBe(sweep.txHash);
    const credits = await database.db.balanceTransaction.findMany({
      where: { paymentId: payment.id, type: "payment_settled" },
    });
    expect(credits.length).toBe(1);
    expect(await ethAvailable()).toBe(await fx.publicClient.getBalance({ address: hotWallet }));
    // Less the fee and the gas the sweep reserved and did not burn (it stays at the deposit).
    expect(await ethAvailable()).toBe(
      parseEther("2") - toBigInt(settled.fee) - (await fx.unspentGasReserve(settled.txHash)),
    );
  });

  it("confirms a payout only after its confirmations; a reorg that drops it re-sends the same transaction, paid once", async () => {
    const created = await fx.approvedPayout({ amount: "0.5" });
    const { recipient } = created;
    await signApprovedPayouts(fx.deps, fx.chain);
    const sent = await database.db.payout.findUniqueOrThrow({ where: { id: created.id } });
    expect(sent.status).toBe("sent");
    expect(await isMined(sent.txHash ?? "")).toBe(true);
    // One confirmation of two: not yet.
    expect(await confirmSentPayouts(fx.deps, fx.chain)).toEqual({ confirmed: 0, failed: 0 });

    await reorgHead();
    expect(await isMined(sent.txHash ?? "")).toBe(false);
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(0n);
    expect(await confirmSentPayouts(fx.deps, fx.chain)).toEqual({ confirmed: 0, failed: 0 });
    expect((await database.db.payout.findUniqueOrThrow({ where: { id: created.id } })).status).toBe("sent");

    for (let round = 0; round < 10; round++) {
      await runPayouts(fx.deps);
      if ((await database.db.payout.findUniqueOrThrow({ where: { id: created.id } })).status === "confirmed")
        break;
      await fx.mine();
    }
    const done = await database.db.payout.findUniqueOrThrow({ where: { id: created.id } });
    expect(done.status).toBe("confirmed");
    expect(done.txHash).toBe(sent.txHash);
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(parseEther("0.5"));
    expect(await findLedgerMismatches(database.db)).toEqual([]);
    expect(await ethAvailable()).toBe(await fx.publicClient.getBalance({ address: hotWallet }));
  });
});
