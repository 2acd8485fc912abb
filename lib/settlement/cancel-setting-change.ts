import { authorize } from "../access/actor";
import { AppError } from "../errors";
import { isId } from "../ids";
import {
  announceSettingChange,
  cancelOpenChange,
  lockSettingTarget,
  type MoneyRoutingDeps,
  readLiveValues,
  SETTING_CHANGE_SELECT,
  settingChangeContext,
  targetOf,
} from "./record-setting-change";
import type { TSettingChangeObject } from "./setting-change-object";

/**
 * Cancels a scheduled money-routing change before it takes effect (`settings.change_canceled`,
 * `settings.updated` with status `canceled`). Another merchant's change is a 404; one already
 * applied or canceled is a 409.
 */
export async function cancelSettingChange(
  deps: Omit<MoneyRoutingDeps, "delaySeconds">,
  merchantId: string,
  id: string,
): Promise<TSettingChangeObject> {
  authorize(deps.actor, merchantId, "settings:write");
  const notFound = new AppError("not_found", "No such settings change.");
  if (!isId(id, "chg")) throw notFound;
  const context = settingChangeContext(deps);
  return deps.db.$transaction(async (tx) => {
    const row = await tx.settingChange.findFirst({
      where: { id, merchantId },
      select: SETTING_CHANGE_SELECT,
    });
    if (!row) throw notFound;
    // The apply job holds this lock while it writes a due change: after it, the change is applied.
    await lockSettingTarget(tx, merchantId, targetOf(row));
    const canceled = await cancelOpenChange(tx, context, merchantId, id);
    if (!canceled) {
      const current = await tx.settingChange.findUniqueOrThrow({
        where: { id },
        select: { appliedAt: true },
      });
      throw new AppError(
        "invalid_state",
        current.appliedAt
          ? "This change has already taken effect; make a new change to undo it."
          : "This change is already canceled.",
      );
    }
    const previous = await readLiveValues(tx, merchantId, targetOf(canceled));
    return announceSettingChange(tx, context, merchantId, canceled, previous);
  });
}
