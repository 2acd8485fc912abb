import { chainClient } from "../chains/public-client";
import { recordChainHead } from "../chains/record-chain-head";
import type { TChain } from "../config/chains";
import { env } from "../config/env";
import { publicUrl } from "../config/public-url";
import { configuredRates } from "../config/rates";
import type { Db } from "../db/client";
import { deleteExpiredIdempotencyKeys } from "../idempotency/delete-expired-idempotency-keys";
import type { Logger } from "../logger";
import { sendDueNotificationEmails } from "../notifications/send-notification-emails";
import { expirePayments } from "../payments/expire-payments";
import { runPayouts } from "../payouts/run-payouts";
import { pruneRateHistory } from "../rates/rate-history";
import { refreshRates } from "../rates/refresh-rates";
import { sharedRateSources } from "../rates/shared-rate-sources";
import { checkNativeBalances } from "../scanner/check-native-balances";
import { findStalledChains } from "../scanner/find-stalled-chains";
import { scanChain } from "../scanner/scan-chain";
import { applyDueSettingChanges } from "../settlement/apply-due-setting-changes";
import { runSweeps } from "../settlement/run-sweeps";
import { sharedWebhookDispatcher } from "../webhooks/webhook-dispatcher";
import { defineJob, type JobDefinition, jobStep } from "./define-job";

/** What every background job receives: the real dependencies, so tests pass a test database and devnet. */
export type JobContext = {
  db: Db;
  chains: TChain[];
  logger: Logger;
  /** The wallet seed, for the sweeper only; defaults to WALLET_MNEMONIC. */
  mnemonic?: string;
};

/**
 * What the embedded runner drives on a timer. The gateway's jobs are declared with `defineJob`
 * (lib/jobs/define-job.ts), which derives this from the declaration; `run` must be idempotent: it
 * may run again after a failure, or alongside a run in another process.
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

/** Once per block of the fastest chain (at least 1 s), or a minute without chains. */
function oncePerBlock({ chains }: JobContext): number {
  return chains.length === 0
    ? 60_000
    : Math.max(1_000, Math.min(...chains.map((chain) => chain.blockTime * 1_000)));
}

/** Four times per block of the fastest chain (at least 250 ms apart), or a minute without chains. */
function fourTimesPerBlock({ chains }: JobContext): number {
  return chains.length === 0
    ? 60_000
    : Math.max(250, Math.min(...chains.map((chain) => chain.blockTime * 250)));
}

/** Records every chain's head block (health and the scanner compare against it). */
export const chainHeartbeatJob = defineJob({
  id: "chain-heartbeat",
  intervalMs: oncePerBlock,
  maxBackoffMs: chainRetryCapMs,
  cron: "* * * * *",
  concurrency: { limit: 1, per: "chain" },
  chainEvent: "chain/heartbeat.requested",
  chainSteps: ({ db }, chain) => [
    jobStep(`record-head-${chain.name}`, () => recordChainHead(db, chainClient(chain), chain)),
  ],
});

/** Keeps the idempotency table to the keys that can still be replayed (24 h). */
export const idempotencyCleanupJob = defineJob({
  id: "idempotency-cleanup",
  intervalMs: () => 15 * 60_000,
  cron: "*/15 * * * *",
  concurrency: { limit: 1 },
  steps: ({ db }) => [
    jobStep("delete-expired-idempotency-keys", async () => ({
      deleted: await deleteExpiredIdempotencyKeys(db),
    })),
  ],
});

/**
 * The chain watcher: scans every chain from its cursor (transfers, confirmations, reorgs), checks the
 * open native deposit addresses' balances when due (ETH sent by contracts), then expires the
 * payments whose expiry the scanned blocks have passed. The scanner serialises scans of one chain
 * with an advisory lock, so two processes scanning at once record nothing twice.
 */
export const chainScanJob = defineJob({
  id: "chain-scan",
  // An idle poll is one eth_blockNumber and two queries: a new block is scanned about an eighth of a
  // block time after it appears.
  intervalMs: fourTimesPerBlock,
  maxBackoffMs: chainRetryCapMs,
  cron: "* * * * *",
  concurrency: { limit: 1, per: "chain" },
  chainEvent: "chain/watch.requested",
  loop: {
    pause: (chain) => `${Math.max(1, Math.round(chain.blockTime))}s`,
    stalledChains: ({ db, chains }) => findStalledChains(db, chains),
  },
  recordsEvents: true,
  chainSteps: ({ db, logger }, chain) => {
    const client = chainClient(chain);
    return [
      jobStep(`scan-${chain.name}`, () => scanChain({ db, client, chain, baseUrl: publicUrl(), logger })),
      jobStep(`check-balances-${chain.name}`, () =>
        checkNativeBalances({ db, client, chain, baseUrl: publicUrl(), logger }),
      ),
      jobStep(`expire-${chain.name}`, () => expirePayments({ db, chain, baseUrl: publicUrl() })),
    ];
  },
});

/**
 * Claims due webhook deliveries and starts their attempts without waiting for them (a slow endpoint
 * must not hold back the next tick; attempts are leased, so a process that dies mid-attempt leaves
 * them to be retried after the lease). A short interval keeps event → webhook latency low; an idle
 * tick is one indexed query. In Inngest mode the webhook relay also fans deliveries out to
 * per-delivery runs (inngest/functions/webhook-delivery.ts); both claim with SKIP LOCKED.
 */
export const webhookDeliveryJob = defineJob({
  id: "webhook-delivery",
  intervalMs: () => 100,
  cron: "* * * * *",
  concurrency: { limit: 1 },
  steps: ({ db, logger }) => [
    jobStep("dispatch-due-webhooks", async () => ({
      started: await sharedWebhookDispatcher(db, logger).tick(),
    })),
  ],
});

/**
 * Plans sweeps of confirmed payments and advances every open sweep (lib/settlement), once per block
 * of the fastest chain. A sweep waiting on the chain or the gas tank is simply looked at again;
 * sweeps lock their rows (SKIP LOCKED), so two processes never advance one sweep at once.
 */
export const sweepJob = defineJob({
  id: "sweep",
  intervalMs: oncePerBlock,
  maxBackoffMs: chainRetryCapMs,
  cron: "* * * * *",
  concurrency: { limit: 1 },
  recordsEvents: true,
  steps: ({ db, chains, logger, mnemonic }) => [
    jobStep("run-sweeps", async () => {
      const result = await runSweeps(
        { db, chains, mnemonic: mnemonic ?? env().WALLET_MNEMONIC },
        { logger, baseUrl: publicUrl() },
      );
      if (result.failed > 0) throw new Error(`sweep: ${result.failed} sweeps failed a step; retrying`);
      return result;
    }),
  ],
});

/**
 * Signs and broadcasts approved payouts (pipelined nonces per hot wallet) and records confirmed
 * ones, four times per block of the fastest chain: approval → on chain is at most a quarter block.
 * Payout rows are claimed with SKIP LOCKED, so two processes never send one payout twice.
 */
export const payoutJob = defineJob({
  id: "payouts",
  intervalMs: fourTimesPerBlock,
  maxBackoffMs: chainRetryCapMs,
  cron: "* * * * *",
  concurrency: { limit: 1 },
  recordsEvents: true,
  steps: ({ db, chains, logger, mnemonic }) => [
    jobStep("run-payouts", () =>
      runPayouts({ db, chains, mnemonic: mnemonic ?? env().WALLET_MNEMONIC }, { logger }),
    ),
  ],
});

/**
 * Applies the scheduled money-routing changes (treasury, payout limits) whose delay has passed, so
 * sweeps and payouts see them; at most 15 s late (a minute in Inngest mode). Each change is claimed
 * by a conditional update, so two runs never apply one twice.
 */
export const settingChangesJob = defineJob({
  id: "setting-changes",
  intervalMs: () => 15_000,
  cron: "* * * * *",
  concurrency: { limit: 1 },
  recordsEvents: true,
  steps: ({ db, chains, logger }) => [
    jobStep("apply-due-setting-changes", async () => {
      const result = await applyDueSettingChanges({ db, chains });
      if (result.applied.length > 0)
        logger.info("money-routing changes applied", { changes: result.applied });
      return result;
    }),
  ],
});

/**
 * Fetches the exchange rates of every sourced asset of the configured chains (rates.yaml) and stores
 * them (lib/rates): quotes then rarely wait on a price API, and a late transfer finds the rate of
 * its block's time. Nothing to do on the devnet (fixed and pegged rates). Sources that fail are
 * reported, not retried here: their breakers decide when they are asked again.
 */
export const ratesJob = defineJob({
  id: "exchange-rates",
  intervalMs: () => configuredRates().refreshSeconds * 1_000,
  cron: "* * * * *",
  concurrency: { limit: 1 },
  steps: ({ db, chains, logger }) => [
    jobStep("refresh-rates", async () => {
      const result = await refreshRates({ db, chains, sources: sharedRateSources() });
      if (result.failed.length > 0) logger.warn("no rate source answered", { pairs: result.failed });
      return result;
    }),
    jobStep("prune-rate-history", async () => {
      const days = configuredRates().historyDays;
      const deleted = await pruneRateHistory(db, new Date(Date.now() - days * 86_400_000));
      return { deleted };
    }),
  ],
});

/**
 * Sends the recorded notifications' emails through SMTP_URL (lib/notifications), every 5 s: a
 * failed email stays pending with its attempts and error, retried with backoff. Without SMTP_URL
 * the due ones are marked email_off (they stay in the dashboard list). Emails are claimed with
 * SKIP LOCKED and leased, so two processes never send one at once.
 */
export const notificationEmailJob = defineJob({
  id: "notification-emails",
  intervalMs: () => 5_000,
  cron: "* * * * *",
  concurrency: { limit: 1 },
  steps: ({ db, logger }) => [
    jobStep("send-due-notification-emails", () => {
      const config = env();
      return sendDueNotificationEmails({
        db,
        logger,
        smtpUrl: config.SMTP_URL,
        from: config.SMTP_FROM,
        publicUrl: publicUrl(),
      });
    }),
  ],
});

/** Every background job: the embedded runner drives them all, and each has its Inngest function. */
export const jobs: readonly JobDefinition[] = [
  chainHeartbeatJob,
  idempotencyCleanupJob,
  chainScanJob,
  sweepJob,
  payoutJob,
  settingChangesJob,
  webhookDeliveryJob,
  ratesJob,
  notificationEmailJob,
];
