import { type TSettingChangeObject, utcTimeText } from "@/lib/settlement/setting-change-object";
import { cancelSettingChangeAction } from "./actions";

/** What a change sets, in words. */
export function describeSettingValues(values: TSettingChangeObject["new"] | null): string {
  if (values === null) return "nothing";
  if ("mode" in values)
    return values.mode === "balance"
      ? `balance mode${values.address ? ` (treasury ${values.address} kept)` : ""}`
      : `treasury ${values.address ?? "—"}`;
  const show = (value: string | null, none: string) => value ?? none;
  return [
    `max per payout ${show(values.max_per_payout, "none")}`,
    `max per 24 h ${show(values.max_per_day, "none")}`,
    `auto-approve below ${show(values.auto_approve_below, "off")}`,
  ].join(", ");
}

/**
 * Scheduled money-routing changes with their effective time. The owner can cancel them; everybody
 * else sees them (a member who spots a change they did not expect can tell the owner).
 */
export function PendingChanges({
  changes,
  canCancel,
}: {
  changes: TSettingChangeObject[];
  canCancel: boolean;
}) {
  if (changes.length === 0)
    return <p className="muted">No scheduled changes: everything shown below is in effect.</p>;
  return (
    <ul className="plain-list" data-testid="pending-changes">
      {changes.map((change) => (
        <li key={change.id} data-testid={`pending-change-${change.id}`}>
          <p>
            <strong>
              {change.kind === "treasury" ? "Settlement" : `${change.token} payout limits`} on {change.chain}
            </strong>
            : {describeSettingValues(change.previous)} → {describeSettingValues(change.new)}. Takes effect at{" "}
            <time dateTime={change.effective_at}>{utcTimeText(change.effective_at)}</time>, requested by{" "}
            {change.actor.type === "user" ? "a member" : change.actor.type.replace("_", " ")}
            {change.actor.id ? ` (${change.actor.id})` : ""}.
          </p>
          {canCancel ? (
            <form action={cancelSettingChangeAction}>
              <input type="hidden" name="changeId" value={change.id} />
              <button type="submit" className="button">
                Cancel this change
              </button>
            </form>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
