import { cron, NonRetriableError } from "inngest";
import { chainClient } from "../../lib/chains/public-client";
import { publicUrl } from "../../lib/config/public-url";
import type { JobContext } from "../../lib/jobs/jobs";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { expirePayments } from "../../lib/payments/expire-payments";
import { checkNativeBalances } from "../../lib/scanner/check-native-balances";
import { findStalledChains } from "../../lib/scanner/find-stalled-chains";
import { scanChain } from "../../lib/scanner/scan-chain";
import { chainWatchRequested, inngest, ZChainWatchRequested } from "../client";

export type ChainWatcherDependencies = {
  /** The database and chains to use; tests pass a test database and an Anvil devnet. */
  getContext: () => Pick<JobContext, "db" | "chains">;
  baseUrl?: () => string;
};

/**
 * One chain's watcher loop: scan from the cursor, check the open native deposit addresses' balances
 * when due (ETH sent by contracts), expire what the scanned blocks passed, sleep one block time,
 * then send its own event to run again. Concurrency 1 per chain: two loops of the same
 * chain (a restart racing a live loop) run one after the other, and the services are idempotent.
 */
export function createChainWatcher({ getContext, baseUrl = publicUrl }: ChainWatcherDependencies) {
  return inngest.createFunction(
    {
      id: "chain-watcher",
      triggers: [chainWatchRequested],
      concurrency: { key: "event.data.chain", limit: 1 },
    },
    async ({ event, step }) => {
      const { db, chains } = getContext();
      const { chain: name } = ZChainWatchRequested.parse(event.data);
      const chain = chains.find((candidate) => candidate.name === name);
      if (!chain) throw new NonRetriableError(`unknown chain ${name}`);

      const scanned = await step.run(`scan-${chain.name}`, async () => {
        const result = await scanChain({ db, client: chainClient(chain), chain, baseUrl: baseUrl() });
        // Step output is JSON: block numbers travel as decimal strings.
        return {
          headBlock: result.headBlock.toString(),
          lastScannedBlock: result.lastScannedBlock?.toString() ?? null,
          transfersRecorded: result.transfersRecorded,
          reorgsHandled: result.reorgsHandled,
        };
      });
      const balances = await step.run(`check-balances-${chain.name}`, async () => {
        const result = await checkNativeBalances({
          db,
          client: chainClient(chain),
          chain,
          baseUrl: baseUrl(),
        });
        return { balancesCheckedAt: result.blockNumber?.toString() ?? null, balanceCredits: result.credited };
      });
      const expired = await step.run(`expire-${chain.name}`, async () => {
        const result = await expirePayments({ db, chain, baseUrl: baseUrl() });
        return { expired: result.expired };
      });
      await step.sleep(`wait-${chain.name}`, `${Math.max(1, Math.round(chain.blockTime))}s`);
      await step.sendEvent(`rearm-${chain.name}`, chainWatchRequested.create({ chain: chain.name }));
      return { chain: chain.name, ...scanned, ...balances, ...expired };
    },
  );
}

/**
 * Every minute (Inngest's cron granularity): expires payments on every chain even when a loop is
 * down, and (re)starts the watcher loop of every chain whose cursor has not moved recently.
 */
export function createChainWatchSupervisor({ getContext, baseUrl = publicUrl }: ChainWatcherDependencies) {
  return inngest.createFunction(
    { id: "chain-watch-supervisor", triggers: [cron("* * * * *")] },
    async ({ step }) => {
      const { db, chains } = getContext();
      const expired = await Promise.all(
        chains.map((chain) =>
          step.run(`expire-${chain.name}`, async () => {
            const result = await expirePayments({ db, chain, baseUrl: baseUrl() });
            return { chain: chain.name, expired: result.expired };
          }),
        ),
      );
      const stalled = await step.run("find-stalled-chains", () => findStalledChains(db, chains));
      if (stalled.length > 0)
        await step.sendEvent(
          "restart-watchers",
          stalled.map((chain) => chainWatchRequested.create({ chain })),
        );
      return { expired, restarted: stalled };
    },
  );
}

export const chainWatcher = createChainWatcher({ getContext: loadJobContext });
export const chainWatchSupervisor = createChainWatchSupervisor({ getContext: loadJobContext });
