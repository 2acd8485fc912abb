import { cron } from "inngest";
import { env } from "../../lib/config/env";
import { publicUrl } from "../../lib/config/public-url";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { runSweeps } from "../../lib/settlement/run-sweeps";
import type { TransactionDeps } from "../../lib/transactions/transaction-deps";
import { inngest } from "../client";

export type SweepSupervisorDependencies = {
  getDeps: () => TransactionDeps;
  baseUrl?: () => string;
};

/**
 * Every minute (Inngest's cron granularity), one pass of the sweeper over everything open: what a
 * `sweep-payment` run cannot finish on its own is picked up here — a sweep paused on the gas tank
 * resumes once it is funded, a run that exhausted its retries is continued, dust that reached
 * `minSweep` and payments confirmed before their merchant set a treasury get planned. The same
 * service as the embedded runner's sweep job; sweeps lock their rows, so it never races a run.
 */
export function createSweepSupervisor({ getDeps, baseUrl = publicUrl }: SweepSupervisorDependencies) {
  return inngest.createFunction(
    { id: "sweep-supervisor", triggers: [cron("* * * * *")], concurrency: { limit: 1 } },
    async ({ step }) =>
      step.run("run-sweeps", async () => {
        const result = await runSweeps(getDeps(), { baseUrl: baseUrl(), limit: 500 });
        return {
          planned: result.planned,
          advanced: result.advanced.length,
          settled: result.advanced.filter((sweep) => sweep.status === "confirmed").length,
          paused: result.advanced.filter((sweep) => sweep.lastError !== null && sweep.status === "pending")
            .length,
          failed: result.failed,
        };
      }),
  );
}

export const sweepSupervisor = createSweepSupervisor({
  getDeps: () => {
    const { db, chains } = loadJobContext();
    return { db, chains, mnemonic: env().WALLET_MNEMONIC };
  },
});
