import { z } from "zod";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import {
  afterCursor,
  CURSOR_SELECT,
  createdBetween,
  findCursor,
  type ListPage,
  NEWEST_FIRST,
  toPage,
  ZListQuery,
  ZTimestampFilter,
} from "../http/pagination";
import { PAYOUT_SELECT, PAYOUT_STATUSES, serializePayout, type TPayoutObject } from "./payout-object";

export const ZListPayoutsQuery = z.strictObject({
  ...ZListQuery,
  status: z.enum(PAYOUT_STATUSES).optional(),
  chain: z.string().max(32).optional(),
  token: z.string().max(16).optional(),
  payment_id: z.string().max(64).optional(),
  "created[gte]": ZTimestampFilter.optional(),
  "created[lte]": ZTimestampFilter.optional(),
});
export type TListPayoutsQuery = z.infer<typeof ZListPayoutsQuery>;

/** Newest first, cursor-paginated with `starting_after`. */
export async function listPayouts(
  deps: { db: Db; chains: TChain[] },
  merchantId: string,
  query: TListPayoutsQuery,
): Promise<ListPage<TPayoutObject>> {
  const { db } = deps;
  const cursor = await findCursor(query.starting_after, "payout", (id) =>
    db.payout.findFirst({ where: { id, merchantId }, select: CURSOR_SELECT }),
  );
  const rows = await db.payout.findMany({
    where: {
      merchantId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.chain ? { chain: query.chain } : {}),
      ...(query.token ? { tokenSymbol: { equals: query.token, mode: "insensitive" as const } } : {}),
      ...(query.payment_id ? { paymentId: query.payment_id } : {}),
      ...createdBetween(query),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: PAYOUT_SELECT,
  });
  return toPage(rows, query.limit, (row) => serializePayout(deps.chains, row));
}
