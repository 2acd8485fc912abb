import { hash } from "argon2";
import { env } from "../config/env";
import type { Db } from "../db/client";
import { newId } from "../ids";
import { accountXpub } from "../wallet/derivation";

export type CreateMerchantParams = { name: string; email: string; password: string };
export type CreatedMerchant = { merchantId: string; userId: string; email: string; hdAccount: number };

/**
 * Creates a merchant, its owner user (argon2id password hash) and its BIP-44 account. Account 0 is
 * the gateway's own (gas tank), so merchants start at 1 (or above a restore's floor); the unique index on hd_account and the
 * transaction-scoped advisory lock make concurrent sign-ups take distinct accounts. The account's xpub
 * is stored so request code can derive deposit addresses without the seed.
 */
export async function createMerchant(
  db: Db,
  params: CreateMerchantParams,
  mnemonic: string = env().WALLET_MNEMONIC,
): Promise<CreatedMerchant> {
  const email = params.email.trim().toLowerCase();
  const passwordHash = await hash(params.password, { type: 2 });
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('ctrip:merchant-hd-account'))`;
    const { _max } = await tx.merchant.aggregate({ _max: { hdAccount: true } });
    // After a restore, accounts up to the floor may belong to merchants created after the backup
    // (their deposit addresses may be in customers' hands): lib/backup/restore-backup.ts.
    const restored = await tx.databaseRestore.aggregate({ _max: { hdAccountFloor: true } });
    const hdAccount = Math.max(_max.hdAccount ?? 0, restored._max.hdAccountFloor ?? 0) + 1;
    const merchant = await tx.merchant.create({
      data: {
        id: newId("mer"),
        name: params.name.trim(),
        hdAccount,
        depositXpub: accountXpub(mnemonic, hdAccount),
      },
      select: { id: true },
    });
    const user = await tx.user.create({
      data: { id: newId("usr"), merchantId: merchant.id, email, passwordHash, role: "owner" },
      select: { id: true },
    });
    return { merchantId: merchant.id, userId: user.id, email, hdAccount };
  });
}
