import type { Logger } from "../logger";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { type AdvanceSweepResult, advanceSweep } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";

export type RunSweepsResult = { planned: number; advanced: AdvanceSweepResult[]; failed: number };

/**
 * One pass of the embedded sweeper: plans sweeps for newly confirmed payments, then advances every
 * open sweep of the configured chains, one after the other (a sweep's own lock and the nonce rows
 * make concurrent passes safe; sequential keeps one runner from racing itself on the gas tank).
 * A failing sweep is logged and does not hold back the others.
 */
export async function runSweeps(
  deps: TransactionDeps,
  options: { logger?: Logger; baseUrl?: string; limit?: number } = {},
): Promise<RunSweepsResult> {
  const planned = await planSweeps(deps, { limit: options.limit });
  const open = await deps.db.sweep.findMany({
    where: {
      status: { in: ["pending", "funding_gas", "gas_funded", "transferring"] },
      chain: { in: deps.chains.map((chain) => chain.name) },
    },
    select: { id: true },
    orderBy: { updatedAt: "asc" },
    take: options.limit ?? 100,
  });
  const advanced: AdvanceSweepResult[] = [];
  let failed = 0;
  for (const { id } of open) {
    try {
      advanced.push(await advanceSweep(deps, id, { baseUrl: options.baseUrl }));
    } catch (error) {
      failed += 1;
      options.logger?.warn("sweep step failed; retrying on the next run", { sweepId: id, error });
    }
  }
  return { planned: planned.length, advanced, failed };
}
