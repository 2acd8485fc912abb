import { z } from "zod";
import { type TSettingChangeObject, ZSettingChangeObject } from "./setting-change-object";

/**
 * A merchant's settlement setting for one chain (DESIGN.md "Settlement", REST `settings/treasury`):
 * the mode and address in effect, and the scheduled change that will replace them, if any.
 */
export const ZTreasurySettingObject = z.object({
  chain: z.string(),
  mode: z.enum(["treasury", "balance"]),
  address: z.string().nullable(),
  pending_change: ZSettingChangeObject.nullable(),
});
export type TTreasurySettingObject = z.infer<typeof ZTreasurySettingObject>;

export const ZTreasurySettingList = z.object({
  object: z.literal("list"),
  data: z.array(ZTreasurySettingObject),
});
export type TTreasurySettingList = z.infer<typeof ZTreasurySettingList>;

export const TREASURY_SETTING_SELECT = { chain: true, mode: true, address: true } as const;

export function serializeTreasurySetting(
  row: { chain: string; mode: "treasury" | "balance"; address: string | null },
  pending: readonly TSettingChangeObject[],
): TTreasurySettingObject {
  return {
    chain: row.chain,
    mode: row.mode,
    address: row.address,
    pending_change:
      pending.find((change) => change.kind === "treasury" && change.chain === row.chain) ?? null,
  };
}
