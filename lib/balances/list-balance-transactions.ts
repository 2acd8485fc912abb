import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import {
  afterCursor,
  CURSOR_SELECT,
  findCursor,
  type ListPage,
  moneyListWhere,
  NEWEST_FIRST,
  toPage,
  ZListQuery,
  ZMoneyListFilters,
} from "../http/pagination";
import {
  BALANCE_TRANSACTION_SELECT,
  BALANCE_TRANSACTION_TYPES,
  serializeBalanceTransaction,
  type TBalanceTransactionObject,
} from "./balance-object";

export const ZListBalanceTransactionsQuery = z.strictObject({
  ...ZListQuery,
  ...ZMoneyListFilters,
  type: z.enum(BALANCE_TRANSACTION_TYPES).optional(),
  payout_id: z.string().max(64).optional(),
  payment_id: z.string().max(64).optional(),
});
export type TListBalanceTransactionsQuery = z.infer<typeof ZListBalanceTransactionsQuery>;

/** The merchant's ledger, newest first, cursor-paginated with `starting_after`. */
export async function listBalanceTransactions(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
  query: TListBalanceTransactionsQuery,
): Promise<ListPage<TBalanceTransactionObject>> {
  authorize(deps.actor, merchantId, "balances:read");
  const { db } = deps;
  const cursor = await findCursor(query.starting_after, "balance transaction", (id) =>
    db.balanceTransaction.findFirst({ where: { id, merchantId }, select: CURSOR_SELECT }),
  );
  const rows = await db.balanceTransaction.findMany({
    where: {
      merchantId,
      ...(query.type ? { type: query.type } : {}),
      ...(query.payout_id ? { payoutId: query.payout_id } : {}),
      // A payment's entries: its settlement credit, and every entry of the payouts refunding it.
      ...(query.payment_id
        ? { AND: [{ OR: [{ paymentId: query.payment_id }, { payout: { paymentId: query.payment_id } }] }] }
        : {}),
      ...moneyListWhere(query),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: BALANCE_TRANSACTION_SELECT,
  });
  return toPage(rows, query.limit, (row) => serializeBalanceTransaction(deps.chains, row));
}
