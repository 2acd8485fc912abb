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
  allowPrivateTargets: boolean;
  logger: Logger;
  fetch?: typeof fetch;
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
    // Production refuses private targets unless allowed; the embedded default and tests allow them.
    allowPrivateTargets:
      config.WEBHOOK_ALLOW_PRIVATE_TARGETS === "1" ||
      config.NODE_ENV !== "production" ||
      config.CTRIP_EMBEDDED === "1",
    retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
  };
}
