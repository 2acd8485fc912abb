import type { TNotificationKind } from "./kinds";

type Stored = {
  kind: TNotificationKind;
  title: string;
  body: string;
  link: string | null;
  merchant: { name: string } | null;
};

/**
 * The plain-text email of a recorded notification: what happened (the stored text, which never
 * holds a secret), a link to the dashboard page, and why the reader gets it.
 */
export function composeNotificationEmail(
  notification: Stored,
  options: { publicUrl: string; toOperator: boolean },
): { subject: string; text: string } {
  const base = options.publicUrl.replace(/\/+$/, "");
  const lines = [notification.body, ""];
  if (notification.link) lines.push(`Open in the dashboard: ${base}${notification.link}`, "");
  lines.push(
    options.toOperator
      ? `You get this email because OPS_EMAIL names this address on the cTrip Pay gateway at ${base}.`
      : `You get this email as an owner or admin of ${notification.merchant?.name ?? "a merchant"} on cTrip Pay. ` +
          `Choose which notifications you get: ${base}/dashboard/notifications`,
  );
  return { subject: `[cTrip Pay] ${notification.title}`, text: lines.join("\n") };
}
