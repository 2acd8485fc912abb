import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db, Tx } from "../db/client";
import {
  readLiveValues,
  SETTING_CHANGE_SELECT,
  serializeSettingChange,
  targetOf,
} from "./record-setting-change";
import type { TSettingChangeList, TSettingChangeObject } from "./setting-change-object";

/**
 * The merchant's scheduled money-routing changes (not applied, not canceled), soonest first, each
 * with the value it would replace. At most one per setting: a new change supersedes the older one.
 */
export async function openSettingChanges(
  db: Tx,
  chains: TChain[],
  merchantId: string,
  kind?: "treasury" | "payout_limits",
): Promise<TSettingChangeObject[]> {
  const rows = await db.settingChange.findMany({
    where: { merchantId, appliedAt: null, canceledAt: null, ...(kind ? { kind } : {}) },
    orderBy: [{ effectiveAt: "asc" }, { id: "asc" }],
    select: SETTING_CHANGE_SELECT,
    take: 200,
  });
  return Promise.all(
    rows.map(async (row) =>
      serializeSettingChange(chains, row, await readLiveValues(db, merchantId, targetOf(row))),
    ),
  );
}

/** `GET /api/v1/settings/pending-changes`: the scheduled changes the owner can still cancel. */
export async function listPendingSettingChanges(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
): Promise<TSettingChangeList> {
  authorize(deps.actor, merchantId, "settings:read");
  return { object: "list", data: await openSettingChanges(deps.db, deps.chains, merchantId) };
}
