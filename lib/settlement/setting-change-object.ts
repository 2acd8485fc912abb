import { z } from "zod";
import type { Actor } from "../access/actor";

/** What a treasury change sets (REST `settings/treasury`). */
export const ZTreasuryValues = z.object({
  mode: z.enum(["treasury", "balance"]),
  address: z.string().nullable(),
});
export type TTreasuryValues = z.infer<typeof ZTreasuryValues>;

/** What a payout-limits change sets, in token units (REST `settings/payouts`); null = no limit. */
export const ZPayoutLimitValues = z.object({
  max_per_payout: z.string().nullable(),
  max_per_day: z.string().nullable(),
  auto_approve_below: z.string().nullable(),
});
export type TPayoutLimitValues = z.infer<typeof ZPayoutLimitValues>;

export const SETTING_CHANGE_STATUSES = ["scheduled", "applied", "canceled"] as const;

const ZActorRef = z.object({
  type: z.enum(["api_key", "user", "operator", "system"]),
  /** key_… or usr_…; null for the operator and the gateway. */
  id: z.string().nullable(),
});
export type TActorRef = z.infer<typeof ZActorRef>;

/**
 * One change of a merchant's money routing: the object of the `settings.updated` event and of
 * `GET /api/v1/settings/pending-changes`. `previous` is the value in effect before (or, while
 * scheduled, now); `actor` who asked for the change, `canceled_by` who canceled it.
 */
export const ZSettingChangeObject = z.object({
  object: z.literal("settings_change"),
  id: z.string(),
  kind: z.enum(["treasury", "payout_limits"]),
  chain: z.string(),
  /** The token of a payout-limits change; null for a treasury change. */
  token: z.string().nullable(),
  status: z.enum(SETTING_CHANGE_STATUSES),
  effective_at: z.string(),
  previous: z.union([ZTreasuryValues, ZPayoutLimitValues]).nullable(),
  new: z.union([ZTreasuryValues, ZPayoutLimitValues]),
  actor: ZActorRef,
  created_at: z.string(),
  canceled_at: z.string().nullable(),
  canceled_by: ZActorRef.nullable(),
  applied_at: z.string().nullable(),
});
export type TSettingChangeObject = z.infer<typeof ZSettingChangeObject>;

export const ZSettingChangeList = z.object({
  object: z.literal("list"),
  data: z.array(ZSettingChangeObject),
});
export type TSettingChangeList = z.infer<typeof ZSettingChangeList>;

export function actorRef(actor: Actor): TActorRef {
  if (actor.type === "api_key") return { type: actor.type, id: actor.apiKeyId };
  if (actor.type === "user") return { type: actor.type, id: actor.userId };
  return { type: actor.type, id: null };
}

/** `2026-12-05 13:00:00 UTC` for an ISO 8601 time (the dashboard shows effective times in UTC). */
export function utcTimeText(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
}
