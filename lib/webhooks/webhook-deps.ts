import { configuredChains } from "../config/chains";
import { isDevnetOnly } from "../config/devnet";
import { env } from "../config/env";
import { encryptionKey } from "../crypto/encryption-key";
import type { Db } from "../db/client";
import type { Logger } from "../logger";
import { DEFAULT_RETRY_SCHEDULE_MS } from "./webhook-schedule";
import type { ResolveHost } from "./webhook-target";

/** Everything the webhook services touch, injectable so tests use short timeouts and schedules. */
export type WebhookDeps = {
  db: Db;
  /** AES-256-GCM key of the endpoint secrets (lib/crypto). */
  encryptionKey: Buffer;
  /** Loopback targets are allowed only on the devnet; private and link-local targets never. */
  allowLoopbackTargets: boolean;
  logger: Logger;
  now?: () => Date;
  resolveHost?: ResolveHost;
  /** Per-attempt timeout; 10 s by default. */
  timeoutMs?: number;
  retryScheduleMs?: readonly number[];
};

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;

export function webhookDeps(db: Db, logger: Logger): WebhookDeps {
  const config = env();
  return {
    db,
    logger,
    encryptionKey: encryptionKey(config),
    // The chains decide, not NODE_ENV or the database: loopback receivers only on the devnet.
    allowLoopbackTargets: isDevnetOnly(configuredChains()),
    retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
  };
}
