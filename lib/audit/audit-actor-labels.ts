import type { Db } from "../db/client";
import type { TAuditLogEntryObject } from "./audit-log-entry-object";

/**
 * What the dashboard shows as each entry's actor: a member's email, a key's name and hint, "operator",
 * "gateway" or "unknown". A member removed since is named by the email the removal recorded, else its id.
 */
export async function auditActorLabels(
  db: Db,
  merchantId: string,
  entries: readonly TAuditLogEntryObject[],
): Promise<Map<string, string>> {
  const ids = (type: string) => [
    ...new Set(
      entries.flatMap((entry) => (entry.actor.type === type && entry.actor.id ? [entry.actor.id] : [])),
    ),
  ];
  const [users, keys] = await Promise.all([
    db.user.findMany({ where: { merchantId, id: { in: ids("user") } }, select: { id: true, email: true } }),
    db.apiKey.findMany({
      where: { merchantId, id: { in: ids("api_key") } },
      select: { id: true, name: true, keyHint: true },
    }),
  ]);
  const labels = new Map<string, string>();
  for (const user of users) labels.set(user.id, user.email);
  for (const key of keys) labels.set(key.id, `API key “${key.name}” (sk_…${key.keyHint})`);
  return labels;
}

export function auditActorLabel(entry: TAuditLogEntryObject, labels: Map<string, string>): string {
  switch (entry.actor.type) {
    case "operator":
      return "Operator (admin CLI)";
    case "system":
      return "Gateway";
    case "anonymous":
      return "Unknown (not signed in)";
    default:
      return (entry.actor.id && labels.get(entry.actor.id)) ?? entry.actor.id ?? "—";
  }
}
