import { z } from "zod";

/** A merchant's settlement setting for one chain (DESIGN.md "Settlement", REST `settings/treasury`). */
export const ZTreasurySettingObject = z.object({
  chain: z.string(),
  mode: z.enum(["treasury", "balance"]),
  address: z.string().nullable(),
});
export type TTreasurySettingObject = z.infer<typeof ZTreasurySettingObject>;

export const ZTreasurySettingList = z.object({
  object: z.literal("list"),
  data: z.array(ZTreasurySettingObject),
});
export type TTreasurySettingList = z.infer<typeof ZTreasurySettingList>;

export const TREASURY_SETTING_SELECT = { chain: true, mode: true, address: true } as const;

export function serializeTreasurySetting(row: {
  chain: string;
  mode: "treasury" | "balance";
  address: string | null;
}): TTreasurySettingObject {
  return { chain: row.chain, mode: row.mode, address: row.address };
}
