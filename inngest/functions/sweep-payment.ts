import { NonRetriableError } from "inngest";
import { env } from "../../lib/config/env";
import { publicUrl } from "../../lib/config/public-url";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { advanceSweep } from "../../lib/settlement/advance-sweep";
import { planSweeps } from "../../lib/settlement/plan-sweeps";
import type { TransactionDeps } from "../../lib/transactions/transaction-deps";
import { inngest, paymentConfirmed, ZPaymentConfirmed } from "../client";

export type SweepPaymentDependencies = {
  /** Database, chains and seed; tests pass a test database, the Anvil devnet and a test seed. */
  getDeps: () => TransactionDeps;
  baseUrl?: () => string;
};

/**
 * One sweep run per confirmed payment: plan → fund gas → wait → transfer → wait → record. Every step
 * calls the same idempotent lib/settlement services the embedded runner uses, so a retried step, a
 * replayed event or the embedded runner working on the same sweep never sends twice. Step ids carry
 * the payment id (known from the event), the sweep id is only known after planning.
 */
export function createSweepPayment({ getDeps, baseUrl = publicUrl }: SweepPaymentDependencies) {
  return inngest.createFunction(
    {
      id: "sweep-payment",
      triggers: [paymentConfirmed],
      concurrency: { key: "event.data.payment_id", limit: 1 },
    },
    async ({ event, step }) => {
      const { payment_id: paymentId } = ZPaymentConfirmed.parse(event.data);
      const deps = getDeps();
      const sweeps = await step.run(`plan-${paymentId}`, async () => {
        await planSweeps(deps, { paymentId });
        // One per coin the payment was paid in (several for a fiat-priced one); the native coin's
        // first, as the sweeper orders them on a shared deposit address.
        const rows = await deps.db.sweep.findMany({
          // The payment's own coins; unattributed transfers' sweeps are the sweep job's.
          where: { paymentId, transferId: null },
          select: { id: true, chain: true, tokenAddress: true },
          orderBy: { createdAt: "asc" },
        });
        return [...rows.filter((row) => !row.tokenAddress), ...rows.filter((row) => row.tokenAddress)];
      });
      // No treasury, balance mode, below minSweep, or not confirmed: nothing to do (the embedded
      // runner and a later event pick it up once that changes).
      if (sweeps.length === 0) return { paymentId, sweepId: null, status: "not_planned" as const };
      let last: { paymentId: string; sweepId: string; status: "confirmed" } | null = null;
      for (const [index, { id: sweepId, chain: chainName }] of sweeps.entries()) {
        // The first sweep keeps the step ids of a single-coin payment; the others carry their id.
        const key = index === 0 ? paymentId : `${paymentId}-${sweepId}`;
        const chain = deps.chains.find((candidate) => candidate.name === chainName);
        if (!chain) throw new NonRetriableError(`chain ${chainName} is not configured`);
        const wait = `${Math.max(1, Math.ceil(chain.blockTime * chain.confirmations))}s`;
        const options = { baseUrl: baseUrl() };

        await step.run(`fund-gas-${key}`, () => advanceSweep(deps, sweepId, options));
        await step.sleep(`wait-gas-${key}`, wait);
        await step.run(`transfer-${key}`, () => advanceSweep(deps, sweepId, options));
        await step.sleep(`wait-transfer-${key}`, wait);
        last = await step.run(`record-${key}`, async () => {
          const result = await advanceSweep(deps, sweepId, options);
          // Thrown so Inngest retries this step with backoff until the sweep has its confirmations.
          if (result.status !== "confirmed")
            throw new Error(
              `sweep ${sweepId} is ${result.status}${result.lastError ? `: ${result.lastError}` : ""}; retrying`,
            );
          return { paymentId, sweepId, status: result.status };
        });
      }
      return last;
    },
  );
}

export const sweepPayment = createSweepPayment({
  getDeps: () => {
    const { db, chains } = loadJobContext();
    return { db, chains, mnemonic: env().WALLET_MNEMONIC };
  },
});
