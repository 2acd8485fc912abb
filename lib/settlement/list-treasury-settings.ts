import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { openSettingChanges } from "./list-setting-changes";
import {
  serializeTreasurySetting,
  TREASURY_SETTING_SELECT,
  type TTreasurySettingList,
} from "./treasury-setting-object";

/** The merchant's settlement settings in effect, one per chain (a short list: no pagination). */
export async function listTreasurySettings(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
): Promise<TTreasurySettingList> {
  authorize(deps.actor, merchantId, "settings:read");
  const [rows, pending] = await Promise.all([
    deps.db.settlementSetting.findMany({
      where: { merchantId },
      select: TREASURY_SETTING_SELECT,
      orderBy: { chain: "asc" },
    }),
    openSettingChanges(deps.db, deps.chains, merchantId, "treasury"),
  ]);
  return { object: "list", data: rows.map((row) => serializeTreasurySetting(row, pending)) };
}
