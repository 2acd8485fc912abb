import type { Address } from "viem";
import { z } from "zod";
import { authorize } from "../access/actor";
import { env } from "../config/env";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { gasTankAddress } from "../transactions/signing-accounts";
import { ZRecipientAddress } from "../validation/address";
import { hotWalletAddress } from "../wallet/derivation";
import {
  commitSettingChange,
  delaySecondsOf,
  lockSettingTarget,
  type MoneyRoutingDeps,
  readLiveValues,
  settingChangeContext,
  type TreasuryValues,
} from "./record-setting-change";
import { serializeTreasurySetting, type TTreasurySettingObject } from "./treasury-setting-object";

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
 * Sets the merchant's settlement mode and treasury address for one chain. The address is stored
 * checksummed and may not be one of the gateway's own addresses: a deposit address (the sweep
 * would credit another payment and loop), the gas tank or the merchant's hot wallet (swept funds
 * would be spent as gas or mixed into the balance-mode ledger's wallet without a ledger entry).
 *
 * The first setting of a chain takes effect at once; a new address for a chain that has one, or a
 * switch between treasury and balance mode, is scheduled MONEY_ROUTING_DELAY_SECONDS later
 * (`pending_change`), so a stolen key or session cannot redirect the next sweeps silently.
 */
export async function setTreasurySetting(
  deps: MoneyRoutingDeps & { gasTank?: Address },
  merchantId: string,
  rawInput: TSetTreasurySetting,
): Promise<TTreasurySettingObject> {
  authorize(deps.actor, merchantId, "settings:write");
  const input = ZSetTreasurySetting.parse(rawInput);
  if (!deps.chains.some((chain) => chain.name === input.chain)) {
    const message = `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`;
    throw new AppError("validation_failed", `chain: ${message}`, { errors: [{ path: "chain", message }] });
  }
  const address = input.address ?? null;
  if (address) await assertNotOwnAddress(deps, merchantId, address);
  const context = settingChangeContext(deps);
  const delaySeconds = delaySecondsOf(deps);
  const target = { kind: "treasury", chain: input.chain, tokenSymbol: null } as const;
  const next = { mode: input.mode, address };
  return deps.db.$transaction(async (tx) => {
    await lockSettingTarget(tx, merchantId, target);
    const previous = (await readLiveValues(tx, merchantId, target)) as TreasuryValues | null;
    const delayed =
      previous !== null &&
      (previous.mode !== next.mode || (previous.address !== null && previous.address !== next.address));
    const pending = await commitSettingChange(tx, context, merchantId, {
      target,
      previous,
      immediate: delayed ? null : next,
      scheduled: delayed ? next : null,
      delaySeconds,
    });
    const live = ((await readLiveValues(tx, merchantId, target)) as TreasuryValues | null) ?? next;
    return serializeTreasurySetting({ chain: input.chain, ...live }, pending ? [pending] : []);
  });
}

async function assertNotOwnAddress(
  deps: { db: Db; gasTank?: Address },
  merchantId: string,
  address: string,
): Promise<void> {
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
