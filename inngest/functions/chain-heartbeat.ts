import { cron, NonRetriableError } from "inngest";
import { chainClient } from "../../lib/chains/public-client";
import { recordChainHead } from "../../lib/chains/record-chain-head";
import type { JobContext } from "../../lib/jobs/jobs";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { chainHeartbeatRequested, inngest, ZChainHeartbeatRequested } from "../client";

export type ChainHeartbeatDependencies = {
  /** The database and chains to use; tests pass a test database and the Anvil devnet. */
  getContext: () => Pick<JobContext, "db" | "chains">;
};

/**
 * Records chains' head blocks: every chain each minute (cron), or one chain on
 * `chain/heartbeat.requested`. One step per chain, so a failing RPC is retried on its own.
 */
export function createChainHeartbeat({ getContext }: ChainHeartbeatDependencies) {
  return inngest.createFunction(
    { id: "chain-heartbeat", triggers: [cron("* * * * *"), chainHeartbeatRequested] },
    async ({ event, step }) => {
      const { db, chains } = getContext();
      let targets = chains;
      if (event.name === chainHeartbeatRequested.name) {
        const { chain: name } = ZChainHeartbeatRequested.parse(event.data);
        const chain = chains.find((candidate) => candidate.name === name);
        if (!chain) throw new NonRetriableError(`unknown chain ${name}`);
        targets = [chain];
      }
      return Promise.all(
        targets.map((chain) =>
          step.run(`record-head-${chain.name}`, async () => {
            const head = await recordChainHead(db, chainClient(chain), chain);
            // Step output is JSON: block numbers travel as decimal strings.
            return { chain: head.chain, headBlock: head.headBlock.toString() };
          }),
        ),
      );
    },
  );
}

export const chainHeartbeat = createChainHeartbeat({ getContext: loadJobContext });
