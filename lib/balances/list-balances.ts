import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import type { ListPage } from "../http/pagination";
import { BALANCE_SELECT, serializeBalance, type TBalanceObject } from "./balance-object";

export const ZListBalancesQuery = z.strictObject({
  chain: z.string().max(32).optional(),
  token: z.string().max(16).optional(),
});
export type TListBalancesQuery = z.infer<typeof ZListBalancesQuery>;

/**
 * Every balance of the merchant (one per chain and token it ever held in `balance` mode), in a
 * list envelope. There are few (chains × tokens), so one page holds them all.
 */
export async function listBalances(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
  query: TListBalancesQuery,
): Promise<ListPage<TBalanceObject>> {
  authorize(deps.actor, merchantId, "balances:read");
  const rows = await deps.db.balance.findMany({
    where: {
      merchantId,
      ...(query.chain ? { chain: query.chain } : {}),
      ...(query.token ? { tokenSymbol: { equals: query.token, mode: "insensitive" as const } } : {}),
    },
    orderBy: [{ chain: "asc" }, { tokenSymbol: "asc" }],
    select: BALANCE_SELECT,
  });
  return {
    object: "list",
    data: rows.map((row) => serializeBalance(deps.chains, row)),
    has_more: false,
    next_cursor: null,
  };
}
