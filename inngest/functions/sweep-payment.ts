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
      const sweepId = await step.run(`plan-${paymentId}`, async () => {
        await planSweeps(deps, { paymentId });
        const sweep = await deps.db.sweep.findUnique({ where: { paymentId }, select: { id: true } });
        return sweep?.id ?? null;
      });
      // No treasury, balance mode, below minSweep, or not confirmed: nothing to do (the embedded
      // runner and a later event pick it up once that changes).
      if (!sweepId) return { paymentId, sweepId: null, status: "not_planned" as const };
      const chainName = await step.run(`chain-${paymentId}`, async () => {
        const sweep = await deps.db.sweep.findUniqueOrThrow({
          where: { id: sweepId },
          select: { chain: true },
        });
        return sweep.chain;
      });
      const chain = deps.chains.find((candidate) => candidate.name === chainName);
      if (!chain) throw new NonRetriableError(`chain ${chainName} is not configured`);
      const wait = `${Math.max(1, Math.ceil(chain.blockTime * chain.confirmations))}s`;
      const options = { baseUrl: baseUrl() };

      await step.run(`fund-gas-${paymentId}`, () => advanceSweep(deps, sweepId, options));
      await step.sleep(`wait-gas-${paymentId}`, wait);
      await step.run(`transfer-${paymentId}`, () => advanceSweep(deps, sweepId, options));
      await step.sleep(`wait-transfer-${paymentId}`, wait);
      return step.run(`record-${paymentId}`, async () => {
        const result = await advanceSweep(deps, sweepId, options);
        // Thrown so Inngest retries this step with backoff until the sweep has its confirmations.
        if (result.status !== "confirmed")
          throw new Error(
            `sweep ${sweepId} is ${result.status}${result.lastError ? `: ${result.lastError}` : ""}; retrying`,
          );
        return { paymentId, sweepId, status: result.status };
      });
    },
  );
}

export const sweepPayment = createSweepPayment({
  getDeps: () => {
    const { db, chains } = loadJobContext();
    return { db, chains, mnemonic: env().WALLET_MNEMONIC };
  },
});
