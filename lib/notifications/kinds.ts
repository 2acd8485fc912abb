import { z } from "zod";

/** What a person is told about, by email and in the dashboard's notification list. */
export const NOTIFICATION_KINDS = [
  "payout_awaiting_approval",
  "sweeps_paused",
  "payouts_paused",
  "webhook_endpoint_failing",
  "deep_reorg",
  "api_key_created",
  "settings_changed",
] as const;
export const ZNotificationKind = z.enum(NOTIFICATION_KINDS);
export type TNotificationKind = z.infer<typeof ZNotificationKind>;

/** How the dashboard names each kind (list and opt-out form). */
export const NOTIFICATION_KIND_LABELS: Record<TNotificationKind, string> = {
  payout_awaiting_approval: "Payout awaiting approval",
  sweeps_paused: "Sweeps paused",
  payouts_paused: "Payouts paused",
  webhook_endpoint_failing: "Webhook endpoint failing",
  deep_reorg: "Chain reorganisation affecting payments",
  api_key_created: "New API key",
  settings_changed: "Settings changed",
};

/** The roles that receive a merchant's notifications (the others see the list only). */
export const NOTIFIED_ROLES = ["owner", "admin"] as const;
