import type { Address } from "viem";
import { z } from "zod";
import type { TChain } from "../config/chains";
import { env } from "../config/env";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { ZRecipientAddress } from "../validation/address";
import { hotWalletAddress } from "../wallet/derivation";
import { gasTankAddress } from "./signing-accounts";
import {
  serializeTreasurySetting,
  TREASURY_SETTING_SELECT,
  type TTreasurySettingObject,
} from "./treasury-setting-object";

export const ZSetTreasurySetting = z
  .strictObject({
    chain: z.string().min(1).max(32),
    /** `treasury` (default): sweep to `address`. `balance`: sweep to the merchant's hot wallet. */
    mode: z.enum(["treasury", "balance"]).default("treasury"),
    address: ZRecipientAddress.nullish(),
  })
  .superRefine((input, ctx) => {
    if (input.mode === "treasury" && !input.address)
      ctx.addIssue({ code: "custom", path: ["address"], message: "required in treasury mode" });
  });
export type TSetTreasurySetting = z.input<typeof ZSetTreasurySetting>;

/**
 * Sets the merchant's settlement mode and treasury address for one chain (upsert). The address is
 * stored checksummed and may not be one of the gateway's own addresses: a deposit address (the sweep
 * would credit another payment and loop), the gas tank or the merchant's hot wallet (swept funds
 * would be spent as gas or mixed into the balance-mode ledger's wallet without a ledger entry).
 */
export async function setTreasurySetting(
  deps: { db: Db; chains: TChain[]; gasTank?: Address },
  merchantId: string,
  rawInput: TSetTreasurySetting,
): Promise<TTreasurySettingObject> {
  const input = ZSetTreasurySetting.parse(rawInput);
  if (!deps.chains.some((chain) => chain.name === input.chain)) {
    const message = `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`;
    throw new AppError("validation_failed", `chain: ${message}`, { errors: [{ path: "chain", message }] });
  }
  const address = input.address ?? null;
  if (address) {
    const deposit = await deps.db.payment.findFirst({
      where: { depositAddress: address },
      select: { id: true },
    });
    const merchant = await deps.db.merchant.findUniqueOrThrow({
      where: { id: merchantId },
      select: { depositXpub: true },
    });
    const own =
      address === (deps.gasTank ?? gasTankAddress(env().WALLET_MNEMONIC))
        ? "is this gateway's gas tank"
        : address === hotWalletAddress(merchant.depositXpub)
          ? "is your balance-mode hot wallet"
          : deposit
            ? "is a deposit address of this gateway"
            : null;
    if (own) {
      const message = `${own}; use an address you control`;
      throw new AppError("validation_failed", `address: ${message}`, {
        errors: [{ path: "address", message }],
      });
    }
  }
  const row = await deps.db.settlementSetting.upsert({
    where: { merchantId_chain: { merchantId, chain: input.chain } },
    create: { merchantId, chain: input.chain, mode: input.mode, address },
    update: { mode: input.mode, address },
    select: TREASURY_SETTING_SELECT,
  });
  return serializeTreasurySetting(row);
}
