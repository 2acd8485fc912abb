import type { Db } from "../db/client";
import {
  serializeTreasurySetting,
  TREASURY_SETTING_SELECT,
  type TTreasurySettingList,
} from "./treasury-setting-object";

/** The merchant's settlement settings, one per chain (a short list: no pagination). */
export async function listTreasurySettings(db: Db, merchantId: string): Promise<TTreasurySettingList> {
  const rows = await db.settlementSetting.findMany({
    where: { merchantId },
    select: TREASURY_SETTING_SELECT,
    orderBy: { chain: "asc" },
  });
  return { object: "list", data: rows.map(serializeTreasurySetting) };
}
