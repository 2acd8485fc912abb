import { z } from "zod";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import {
  afterCursor,
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
  const cursor = query.starting_after
    ? await db.payout.findFirst({
        where: { id: query.starting_after, merchantId },
        select: { id: true, createdAt: true },
      })
    : null;
  if (query.starting_after && !cursor)
    throw new AppError("validation_failed", "starting_after: no such payout", {
      errors: [{ path: "starting_after", message: "no such payout" }],
    });
  const created = { gte: query["created[gte]"], lte: query["created[lte]"] };
  const rows = await db.payout.findMany({
    where: {
      merchantId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.chain ? { chain: query.chain } : {}),
      ...(query.token ? { tokenSymbol: { equals: query.token, mode: "insensitive" as const } } : {}),
      ...(query.payment_id ? { paymentId: query.payment_id } : {}),
      ...(created.gte || created.lte ? { createdAt: created } : {}),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: PAYOUT_SELECT,
  });
  return toPage(rows, query.limit, (row) => serializePayout(deps.chains, row));
}
