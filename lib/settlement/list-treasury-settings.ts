import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import {
  serializeTreasurySetting,
  TREASURY_SETTING_SELECT,
  type TTreasurySettingList,
} from "./treasury-setting-object";

/** The merchant's settlement settings, one per chain (a short list: no pagination). */
export async function listTreasurySettings(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
): Promise<TTreasurySettingList> {
  authorize(actor, merchantId, "settings:read");
  const rows = await db.settlementSetting.findMany({
    where: { merchantId },
    select: TREASURY_SETTING_SELECT,
    orderBy: { chain: "asc" },
  });
  return { object: "list", data: rows.map(serializeTreasurySetting) };
}
