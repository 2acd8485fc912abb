import { randomBytes } from "node:crypto";
import { SYSTEM } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { createMerchant } from "./create-merchant";

export const DEMO_MERCHANT_EMAIL = "demo@ctrip.local";

export type DemoMerchant = {
  merchantId: string;
  email: string;
  password: string;
  /** The treasury set for the devnet chain, when one was given. */
  treasury: { chain: string; address: string } | null;
};

export type EnsureDemoMerchantOptions = {
  /** On the embedded devnet: a treasury for the demo merchant, so paid payments get settled. */
  treasury?: { chains: TChain[]; chain: string; address: string };
};

/**
 * First boot of the embedded default: creates the demo merchant with a random password and returns
 * its sign-in (to print once). Returns null when any merchant already exists; the password is never
 * stored in clear, so it cannot be shown again.
 */
export async function ensureDemoMerchant(
  db: Db,
  options: EnsureDemoMerchantOptions = {},
): Promise<DemoMerchant | null> {
  if ((await db.merchant.count()) > 0) return null;
  const password = randomBytes(12).toString("base64url");
  const created = await createMerchant(db, { name: "Demo Store", email: DEMO_MERCHANT_EMAIL, password });
  let treasury: DemoMerchant["treasury"] = null;
  if (options.treasury) {
    const { chains, chain, address } = options.treasury;
    const setting = await setTreasurySetting({ db, chains, actor: SYSTEM }, created.merchantId, {
      chain,
      address,
    });
    treasury = { chain: setting.chain, address: setting.address ?? address };
  }
  return { merchantId: created.merchantId, email: created.email, password, treasury };
}
