import { SYSTEM } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import {
  applySettingChange,
  lockSettingTarget,
  SETTING_CHANGE_SELECT,
  targetOf,
} from "./record-setting-change";

export type ApplyDueSettingChangesDeps = { db: Db; chains: TChain[]; now?: () => Date };

/**
 * Writes every scheduled money-routing change whose effective time has passed to the live settings
 * (settlement_settings, payout_limits), records `settings.change_applied` and emits
 * `settings.updated`. Idempotent and safe with two runners: each change is claimed by a
 * conditional update under the setting's lock, so it is applied once, and never after a cancel.
 */
export async function applyDueSettingChanges(
  deps: ApplyDueSettingChangesDeps,
  options: { limit?: number } = {},
): Promise<{ applied: string[] }> {
  const now = deps.now?.() ?? new Date();
  const due = await deps.db.settingChange.findMany({
    where: { appliedAt: null, canceledAt: null, effectiveAt: { lte: now } },
    orderBy: [{ effectiveAt: "asc" }, { id: "asc" }],
    select: { id: true, merchantId: true, kind: true, chain: true, tokenSymbol: true },
    take: options.limit ?? 100,
  });
  const applied: string[] = [];
  for (const change of due) {
    const done = await deps.db.$transaction(async (tx) => {
      await lockSettingTarget(tx, change.merchantId, targetOf(change));
      const { count } = await tx.settingChange.updateMany({
        where: { id: change.id, appliedAt: null, canceledAt: null, effectiveAt: { lte: now } },
        data: { appliedAt: now },
      });
      if (count === 0) return false;
      const row = await tx.settingChange.findUniqueOrThrow({
        where: { id: change.id },
        select: SETTING_CHANGE_SELECT,
      });
      await applySettingChange(tx, { chains: deps.chains, now, actor: SYSTEM }, change.merchantId, row);
      return true;
    });
    if (done) applied.push(change.id);
  }
  return { applied };
}
