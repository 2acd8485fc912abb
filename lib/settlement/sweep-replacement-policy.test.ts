// Stuck sweeps under the chain's replacement policy (chains.yaml `transactions`), on a test file's
// own Anvil (mining switched off, the base fee raised): every replacement raises both fees by
// ≥ 12.5 %, keeps the tip below the max fee and never passes the fee ceiling; past the policy's
// maximum number of replacements (or at the ceiling) the transaction is paused with a reason, shown
// by health and metrics, and still watched: once mined, the sweep completes.
import { formatGwei, type Hex, parseTransaction } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TChain } from "../config/chains";
import { getHealth } from "../health/get-health";
import { renderMetrics } from "../metrics/render-metrics";
import { toBigInt } from "../payments/payment-object";
import type { TestDatabase } from "../testing/database";
import {
  type OwnSettlementChain,
  type SettlementFixture,
  startOwnSettlementChain,
} from "../testing/settlement-fixture";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { advanceSweep } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";
import { reconcileChain } from "./reconcile-chain";

const STUCK_AFTER_MS = 60_000;

let database: TestDatabase;
let fx: SettlementFixture;
let own: OwnSettlementChain | undefined;
let clock = Date.now();
beforeAll(async () => {
  own = await startOwnSettlementChain();
  ({ database, fx } = own);
});
afterAll(() => own?.stop());

/** The fixture's chain with a replacement policy of its own. */
function depsWith(transactions: TChain["transactions"]): TransactionDeps {
  return {
    ...fx.deps,
    chains: [{ ...fx.chain, transactions }],
    now: () => new Date(clock),
    replaceAfterMs: STUCK_AFTER_MS,
  };
}

async function sweepOf(paymentId: string) {
  return database.db.sweep.findFirstOrThrow({ where: { paymentId } });
}

/** The fee fields of signed bytes, checked: the tip is always below the max fee. */
function signedFees(rawTx: string | null) {
  const parsed = parseTransaction(rawTx as Hex);
  expect(parsed.type).toBe("eip1559");
  const maxFeePerGas = parsed.maxFeePerGas ?? 0n;
  const maxPriorityFeePerGas = parsed.maxPriorityFeePerGas ?? 0n;
  expect(maxPriorityFeePerGas).toBeGreaterThan(0n);
  expect(maxPriorityFeePerGas).toBeLessThan(maxFeePerGas);
  return { nonce: parsed.nonce, maxFeePerGas, maxPriorityFeePerGas };
}

/** Both fees at least 12.5 % over the previous transaction's, as the policy (and nodes) require. */
function expectBumped(next: ReturnType<typeof signedFees>, previous: ReturnType<typeof signedFees>) {
  expect(next.nonce).toBe(previous.nonce);
  expect(next.maxFeePerGas * 1000n).toBeGreaterThanOrEqual(previous.maxFeePerGas * 1125n);
  expect(next.maxPriorityFeePerGas * 1000n).toBeGreaterThanOrEqual(previous.maxPriorityFeePerGas * 1125n);
}

async function engineRowOf(sweepId: string, purpose: "sweep" | "sweep_gas_top_up") {
  return database.db.outgoingTransaction.findFirstOrThrow({
    where: { ownerId: sweepId, purpose },
    orderBy: { createdAt: "desc" },
  });
}

describe("a stuck native sweep", () => {
  it("is replaced at most maxReplacements times, each priced out by a rising base fee, then paused", async () => {
    const deps = depsWith({ maxReplacements: 2 });
    const payment = await fx.createConfirmedPayment({ amount: "3" });
    await fx.testClient.setAutomine(false);
    let sweepId = "";
    try {
      [sweepId = ""] = await planSweeps(deps);
      expect((await advanceSweep(deps, sweepId)).status).toBe("transferring");
      const signed = [signedFees((await sweepOf(payment.id)).rawTx)];
      for (let round = 1; round <= 3; round++) {
        // The next blocks' base fee is above the transaction in the pool: it is not mined.
        const last = signed.at(-1)?.maxFeePerGas ?? 0n;
        await fx.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: last * 3n });
        await fx.mine();
        clock += STUCK_AFTER_MS + 1_000;
        await advanceSweep(deps, sweepId);
        const sweep = await sweepOf(payment.id);
        if (round === 3) {
          // Past the policy: paused, the transaction in flight unchanged, an operator is told.
          expect(parseTransaction(sweep.rawTx as Hex).maxFeePerGas).toBe(last);
          expect(sweep.status).toBe("transferring");
          expect(sweep.lastError).toMatch(/not mined after 2 replacements; needs an operator/);
          break;
        }
        const next = signedFees(sweep.rawTx);
        expectBumped(next, signed.at(-1) ?? next);
        // At least the quote of the raised base fee (2 × base fee + tip), so it can be mined.
        expect(next.maxFeePerGas).toBeGreaterThan(last * 6n);
        expect(sweep.replacedTxHashes).toHaveLength(round);
        expect(sweep.lastError).toMatch(/not mined after 60 s; replaced at \d+ wei\/gas/);
        signed.push(next);
      }
      const engine = await engineRowOf(sweepId, "sweep");
      expect(engine).toMatchObject({ status: "paused", pausedReason: "max_replacements", replacements: 2 });
      expect(await renderMetrics({ db: database.db, chains: deps.chains })).toContain(
        'ctrip_outgoing_transactions_paused{chain="local",purpose="sweep",reason="max_replacements"} 1',
      );
      const health = await getHealth({ db: database.db, chains: deps.chains });
      expect(health.status).toBe("degraded");
      expect(health.settlement).toEqual([
        expect.objectContaining({ status: "paused", last_error: expect.stringMatching(/needs an operator/) }),
      ]);
      // The merchant's people are told once, in the dashboard (and by email with SMTP_URL).
      const told = await database.db.notification.findMany({
        where: { kind: "sweeps_paused", merchantId: fx.merchant.merchantId },
      });
      expect(told).toEqual([
        expect.objectContaining({
          body: expect.stringMatching(/\(max replacements\)[\s\S]*needs an operator/),
        }),
      ]);
      // Paused: no further replacement, whatever the clock says.
      clock += STUCK_AFTER_MS * 10;
      await advanceSweep(deps, sweepId);
      expect((await sweepOf(payment.id)).txHash).toBe(engine.txHash);
      // The base fee falls back: the last replacement is mined, and the sweep completes.
      await fx.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: 1_000_000_000n });
      await fx.mine(fx.chain.confirmations);
    } finally {
      await fx.testClient.setAutomine(true);
    }
    for (let run = 0; run < 6 && (await advanceSweep(deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    const sweep = await sweepOf(payment.id);
    expect(sweep.status).toBe("confirmed");
    expect((await engineRowOf(sweepId, "sweep")).status).toBe("confirmed");
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const left = await fx.unspentGasReserve(sweep.txHash);
    expect(toBigInt(sweep.amount) + receipt.gasUsed * receipt.effectiveGasPrice + left).toBe(payment.amount);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(left);
  });
});

describe("a stuck gas top-up", () => {
  it("is replaced up to the chain's fee ceiling, never above it, then paused; once mined the token sweep completes", async () => {
    await fx.fundGasTank(10n ** 18n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "33" });
    let deps = depsWith({});
    const signed: ReturnType<typeof signedFees>[] = [];
    let sweepId = "";
    await fx.testClient.setAutomine(false);
    try {
      [sweepId = ""] = await planSweeps(deps);
      expect((await advanceSweep(deps, sweepId)).status).toBe("funding_gas");
      signed.push(signedFees((await sweepOf(payment.id)).gasFundRawTx));
      // A ceiling 30 % above the first top-up's max fee: two raises of 12.5 % fit under it, a third not.
      const ceiling = ((signed[0]?.maxFeePerGas ?? 0n) * 13n) / 10n;
      deps = depsWith({ maxFeePerGasGwei: formatGwei(ceiling) });
      for (let round = 1; round <= 3; round++) {
        clock += STUCK_AFTER_MS + 1_000;
        await advanceSweep(deps, sweepId);
        const sweep = await sweepOf(payment.id);
        const current = signedFees(sweep.gasFundRawTx);
        expect(current.maxFeePerGas).toBeLessThanOrEqual(ceiling);
        if (round === 3) {
          expect(current).toEqual(signed.at(-1));
          expect(sweep.lastError).toMatch(/ceiling .*needs an operator/);
          break;
        }
        expectBumped(current, signed.at(-1) ?? current);
        expect(parseTransaction(sweep.gasFundRawTx as Hex).value).toBe(
          toBigInt(sweep.gasFundAmount ?? { toFixed: () => "-1" }),
        );
        signed.push(current);
      }
      expect(await engineRowOf(sweepId, "sweep_gas_top_up")).toMatchObject({
        status: "paused",
        pausedReason: "fee_ceiling",
        replacements: 2,
      });
      expect(await renderMetrics({ db: database.db, chains: deps.chains })).toContain(
        'ctrip_outgoing_transactions_paused{chain="local",purpose="sweep_gas_top_up",reason="fee_ceiling"} 1',
      );
    } finally {
      await fx.testClient.setAutomine(true);
    }
    // Still watched: the last replacement is mined; the token transfer follows, tip below max fee.
    for (let run = 0; run < 12 && (await advanceSweep(deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    const sweep = await sweepOf(payment.id);
    expect(sweep.status).toBe("confirmed");
    signedFees(sweep.rawTx);
    expect(await fx.publicClient.getTransactionCount({ address: fx.gasTank })).toBe(1);
    expect(await fx.tokenBalance(fx.treasury)).toBe(33_000_000n);
    const reconciliation = await reconcileChain(deps, { chain: fx.chain.name });
    expect(reconciliation.flagged_gas).toEqual([]);
    expect(reconciliation.flagged_payments).toEqual([]);
  });
});
