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
import { PAYOUT_SELECT, PAYOUT_STATUSES, serializePayout, type TPayoutObject } from "./payout-object";

export const ZListPayoutsQuery = z.strictObject({
  ...ZListQuery,
  ...ZMoneyListFilters,
  status: z.enum(PAYOUT_STATUSES).optional(),
  payment_id: z.string().max(64).optional(),
});
export type TListPayoutsQuery = z.infer<typeof ZListPayoutsQuery>;

/** Newest first, cursor-paginated with `starting_after`. */
export async function listPayouts(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
  query: TListPayoutsQuery,
): Promise<ListPage<TPayoutObject>> {
  authorize(deps.actor, merchantId, "payouts:read");
  const { db } = deps;
  const cursor = await findCursor(query.starting_after, "payout", (id) =>
    db.payout.findFirst({ where: { id, merchantId }, select: CURSOR_SELECT }),
  );
  const rows = await db.payout.findMany({
    where: {
      merchantId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.payment_id ? { paymentId: query.payment_id } : {}),
      ...moneyListWhere(query),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: PAYOUT_SELECT,
  });
  return toPage(rows, query.limit, (row) => serializePayout(deps.chains, row));
}
