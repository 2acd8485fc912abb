import { NonRetriableError } from "inngest";
import { env } from "../../lib/config/env";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { confirmSentPayouts } from "../../lib/payouts/confirm-sent-payouts";
import { confirmGasTopUps } from "../../lib/payouts/hot-wallet-gas";
import { broadcastSentPayouts, signApprovedPayouts } from "../../lib/payouts/run-payouts";
import type { TransactionDeps } from "../../lib/transactions/transaction-deps";
import { inngest, payoutApproved, ZPayoutApproved } from "../client";

export type ExecutePayoutDependencies = {
  /** Database, chains and seed; tests pass a test database, the Anvil devnet and a test seed. */
  getDeps: () => TransactionDeps;
};

/**
 * One run per approved payout: send → wait for confirmations → record. Each step calls the same
 * idempotent lib/payouts services as the embedded runner (the payout row lock and the recorded raw
 * transaction), so a retried step, a replayed event or the embedded runner working on the same
 * payout never sends twice.
 */
export function createExecutePayout({ getDeps }: ExecutePayoutDependencies) {
  return inngest.createFunction(
    {
      id: "execute-payout",
      triggers: [payoutApproved],
      concurrency: { key: "event.data.payout_id", limit: 1 },
    },
    async ({ event, step }) => {
      const { payout_id: payoutId } = ZPayoutApproved.parse(event.data);
      const deps = getDeps();
      const chainName = await step.run(`chain-${payoutId}`, async () => {
        const payout = await deps.db.payout.findUnique({ where: { id: payoutId }, select: { chain: true } });
        return payout?.chain ?? null;
      });
      if (!chainName) throw new NonRetriableError(`no such payout ${payoutId}`);
      const chain = deps.chains.find((candidate) => candidate.name === chainName);
      if (!chain) throw new NonRetriableError(`chain ${chainName} is not configured`);

      await step.run(`send-${payoutId}`, async () => {
        await confirmGasTopUps(deps, chain);
        await signApprovedPayouts(deps, chain, { payoutId });
        // Re-broadcasts the recorded bytes if this step is retried after a crash.
        await broadcastSentPayouts(deps, chain, { payoutId });
      });
      await step.sleep(
        `wait-${payoutId}`,
        `${Math.max(1, Math.ceil(chain.blockTime * chain.confirmations))}s`,
      );
      return step.run(`record-${payoutId}`, async () => {
        await confirmSentPayouts(deps, chain, { payoutId });
        const payout = await deps.db.payout.findUniqueOrThrow({
          where: { id: payoutId },
          select: { status: true, lastError: true },
        });
        // Thrown so Inngest retries this step with backoff until the transaction has its confirmations.
        if (payout.status === "approved" || payout.status === "sent") {
          // Still approved: a token payout waiting for the gas tank's top-up of its hot wallet.
          if (payout.status === "approved") {
            await confirmGasTopUps(deps, chain);
            await signApprovedPayouts(deps, chain, { payoutId });
          }
          await broadcastSentPayouts(deps, chain, { payoutId });
          throw new Error(
            `payout ${payoutId} is ${payout.status}${payout.lastError ? `: ${payout.lastError}` : ""}; retrying`,
          );
        }
        return { payoutId, status: payout.status };
      });
    },
  );
}

export const executePayout = createExecutePayout({
  getDeps: () => {
    const { db, chains } = loadJobContext();
    return { db, chains, mnemonic: env().WALLET_MNEMONIC };
  },
});
