import { postLedgerEntry } from "../balances/post-ledger-entry";
import type { Db } from "../db/client";

/** Books `amount` base units (negative: takes them) to a merchant's balance with an `adjustment` entry. */
export function adjustBalance(
  db: Db,
  merchantId: string,
  params: { tokenSymbol: string; amount: bigint; chain?: string },
) {
  const { tokenSymbol, amount, chain = "local" } = params;
  return db.$transaction((tx) =>
    postLedgerEntry(tx, { merchantId, chain, tokenSymbol, type: "adjustment", amount }),
  );
}
