import { chainClient } from "../chains/public-client";
import { type RecordChainHeadReturnType, recordChainHead } from "../chains/record-chain-head";
import type { TChain } from "../config/chains";
import { env } from "../config/env";
import { publicUrl } from "../config/public-url";
import type { Db } from "../db/client";
import { deleteExpiredIdempotencyKeys } from "../idempotency/delete-expired-idempotency-keys";
import type { Logger } from "../logger";
import { expirePayments } from "../payments/expire-payments";
import { runPayouts } from "../payouts/run-payouts";
import { checkNativeBalances } from "../scanner/check-native-balances";
import { scanChain } from "../scanner/scan-chain";
import { applyDueSettingChanges } from "../settlement/apply-due-setting-changes";
import { runSweeps } from "../settlement/run-sweeps";
import { sharedWebhookDispatcher } from "../webhooks/webhook-dispatcher";

/** What every background job receives: the real dependencies, so tests pass a test database and devnet. */
export type JobContext = {
  db: Db;
  chains: TChain[];
  logger: Logger;
  /** The wallet seed, for the sweeper only; defaults to WALLET_MNEMONIC. */
  mnemonic?: string;
};

/**
 * A background job the embedded runner drives on a timer. `run` must be idempotent: it may run again
 * after a failure, or alongside an Inngest run of the same service.
 */
export type Job = {
  name: string;
  /** Delay between the end of a successful run and the start of the next one. */
  intervalMs(context: JobContext): number;
  /**
   * Longest wait between retries after failures (default: the runner's, 60 s). Jobs that talk to a
   * chain node cap it low: a retry against a dead node costs one refused request, and after an
   * outage the work must resume within seconds, not a minute later.
   */
  maxBackoffMs?(context: JobContext): number;
  run(context: JobContext): Promise<unknown>;
};

/** Five blocks of the fastest chain, at least 2 s and at most 15 s: the chain jobs' retry cap. */
function chainRetryCapMs({ chains }: JobContext): number {
  if (chains.length === 0) return 15_000;
  const fastest = Math.min(...chains.map((chain) => chain.blockTime * 1_000));
  return Math.min(15_000, Math.max(2_000, fastest * 5));
}

/** Records every chain's head block; chains are independent, so one failing RPC does not hold back the others. */
export const chainHeartbeatJob: Job = {
  name: "chain-heartbeat",
  // Once per block of the fastest chain: the head is what health and, later, the scanner compare against.
  intervalMs: ({ chains }) =>
    chains.length === 0
      ? 60_000
      : Math.max(1_000, Math.min(...chains.map((chain) => chain.blockTime * 1_000))),
  maxBackoffMs: chainRetryCapMs,
  async run({ db, chains, logger }) {
    const results = await Promise.allSettled(
      chains.map((chain) => recordChainHead(db, chainClient(chain), chain)),
    );
    const heads: RecordChainHeadReturnType[] = [];
    const failures: unknown[] = [];
    results.forEach((result, index) => {
      if (result.status === "fulfilled") heads.push(result.value);
      else {
        failures.push(result.reason);
        logger.warn("chain head not recorded", { chain: chains[index]?.name, error: result.reason });
      }
    });
    if (failures.length > 0)
      throw new AggregateError(
        failures,
        `chain-heartbeat: ${failures.length} of ${chains.length} chains failed`,
      );
    return heads;
  },
};

/** Keeps the idempotency table to the keys that can still be replayed (24 h). */
export const idempotencyCleanupJob: Job = {
  name: "idempotency-cleanup",
  intervalMs: () => 15 * 60_000,
  run: ({ db }) => deleteExpiredIdempotencyKeys(db),
};

/**
 * The chain watcher: scans every chain from its cursor (transfers, confirmations, reorgs), checks the
 * open native deposit addresses' balances when due (ETH sent by contracts), then expires the
 * payments whose expiry the scanned blocks have passed. Chains are independent, so one failing RPC does not hold back the others.
 */
export const chainScanJob: Job = {
  name: "chain-scan",
  // Four polls per block of the fastest chain (at least 250 ms apart): a new block is scanned about
  // an eighth of a block time after it appears. An idle poll is one eth_blockNumber and two queries.
  intervalMs: ({ chains }) =>
    chains.length === 0 ? 60_000 : Math.max(250, Math.min(...chains.map((chain) => chain.blockTime * 250))),
  maxBackoffMs: chainRetryCapMs,
  async run({ db, chains, logger }) {
    const baseUrl = publicUrl();
    const results = await Promise.allSettled(
      chains.map(async (chain) => {
        const client = chainClient(chain);
        const scanned = await scanChain({ db, client, chain, baseUrl, logger });
        const balances = await checkNativeBalances({ db, client, chain, baseUrl, logger });
        const expired = await expirePayments({ db, chain, baseUrl });
        return { ...scanned, balanceCredits: balances.credited, expired: expired.expired };
      }),
    );
    const failures = results.flatMap((result, index) => {
      if (result.status === "fulfilled") return [];
      logger.warn("chain not scanned", { chain: chains[index]?.name, error: result.reason });
      return [result.reason];
    });
    // The scan's events (payment.detected, …) go out now, not at the webhook job's next tick.
    await sharedWebhookDispatcher(db, logger).tick();
    if (failures.length > 0)
      throw new AggregateError(failures, `chain-scan: ${failures.length} of ${chains.length} chains failed`);
    return results;
  },
};

/**
 * Claims due webhook deliveries and starts their attempts without waiting for them (a slow endpoint
 * must not hold back the next tick). A short interval keeps event → webhook latency low; an idle
 * tick is one indexed query. Attempts still in flight at shutdown are retried after their lease.
 */
export const webhookDeliveryJob: Job = {
  name: "webhook-delivery",
  intervalMs: () => 100,
  run: ({ db, logger }) => sharedWebhookDispatcher(db, logger).tick(),
};

/**
 * Plans sweeps of confirmed payments and advances every open sweep (lib/settlement), once per block
 * of the fastest chain. A sweep waiting on the chain or the gas tank is simply looked at again.
 */
export const sweepJob: Job = {
  name: "sweep",
  intervalMs: ({ chains }) =>
    chains.length === 0
      ? 60_000
      : Math.max(1_000, Math.min(...chains.map((chain) => chain.blockTime * 1_000))),
  maxBackoffMs: chainRetryCapMs,
  async run({ db, chains, logger, mnemonic }) {
    const result = await runSweeps(
      { db, chains, mnemonic: mnemonic ?? env().WALLET_MNEMONIC },
      { logger, baseUrl: publicUrl() },
    );
    if (result.failed > 0) throw new Error(`sweep: ${result.failed} sweeps failed a step; retrying`);
    return result;
  },
};

/**
 * Signs and broadcasts approved payouts (pipelined nonces per hot wallet) and records confirmed
 * ones, four times per block of the fastest chain: approval → on chain is at most a quarter block.
 */
export const payoutJob: Job = {
  name: "payouts",
  intervalMs: ({ chains }) =>
    chains.length === 0 ? 60_000 : Math.max(250, Math.min(...chains.map((chain) => chain.blockTime * 250))),
  maxBackoffMs: chainRetryCapMs,
  async run({ db, chains, logger, mnemonic }) {
    const result = await runPayouts({ db, chains, mnemonic: mnemonic ?? env().WALLET_MNEMONIC }, { logger });
    // The payout events (payout.sent, …) go out now, not at the webhook job's next tick.
    if (result.signed + result.confirmed + result.failed > 0)
      await sharedWebhookDispatcher(db, logger).tick();
    return result;
  },
};

/**
 * Applies the scheduled money-routing changes (treasury, payout limits) whose delay has passed, so
 * sweeps and payouts see them; at most 15 s late. Idempotent: each change is claimed once.
 */
export const settingChangesJob: Job = {
  name: "setting-changes",
  intervalMs: () => 15_000,
  async run({ db, chains, logger }) {
    const result = await applyDueSettingChanges({ db, chains });
    // The settings.updated events go out now, not at the webhook job's next tick.
    if (result.applied.length > 0) {
      logger.info("money-routing changes applied", { changes: result.applied });
      await sharedWebhookDispatcher(db, logger).tick();
    }
    return result;
  },
};

/** The jobs the embedded runner drives when Inngest is not configured. */
export const jobs: readonly Job[] = [
  chainHeartbeatJob,
  idempotencyCleanupJob,
  chainScanJob,
  sweepJob,
  payoutJob,
  settingChangesJob,
  webhookDeliveryJob,
];
