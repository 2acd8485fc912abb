import { env } from "../config/env";
import type { Tx } from "../db/client";
import { AppError } from "../errors";

/** What a merchant may hold at once; bounded so one tenant cannot take the gateway's capacity. */
const CAPS = {
  webhook_endpoints: {
    limit: () => env().MAX_WEBHOOK_ENDPOINTS_PER_MERCHANT,
    count: (tx: Tx, merchantId: string) =>
      tx.webhookEndpoint.count({ where: { merchantId, deletedAt: null, disabled: false } }),
    refusal: (limit: number) =>
      `A merchant can have at most ${limit} active webhook endpoints: disable or delete one first (MAX_WEBHOOK_ENDPOINTS_PER_MERCHANT).`,
  },
  api_keys: {
    limit: () => env().MAX_API_KEYS_PER_MERCHANT,
    count: (tx: Tx, merchantId: string) => tx.apiKey.count({ where: { merchantId, revokedAt: null } }),
    refusal: (limit: number) =>
      `A merchant can have at most ${limit} active API keys: revoke one first (MAX_API_KEYS_PER_MERCHANT).`,
  },
} as const;

export type MerchantCap = keyof typeof CAPS;

/**
 * Throws `invalid_state` (409) when the merchant already has its cap of `cap`. Call it in the
 * transaction that adds one: a per-merchant lock makes concurrent additions take turns, so they
 * cannot all pass the count together.
 */
export async function assertBelowMerchantCap(tx: Tx, merchantId: string, cap: MerchantCap): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`merchant-cap:${cap}:${merchantId}`}))`;
  const { limit, count, refusal } = CAPS[cap];
  if ((await count(tx, merchantId)) >= limit()) throw new AppError("invalid_state", refusal(limit()));
}
