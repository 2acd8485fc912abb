import { z } from "zod";
import { AppError } from "../errors";

export const ZListQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().max(64).optional(),
};

export type ListPage<T> = { object: "list"; data: T[]; has_more: boolean; next_cursor: string | null };

/** Shapes `limit + 1` rows fetched newest-first into a page and its cursor. */
export function toPage<Row extends { id: string }, T>(
  rows: Row[],
  limit: number,
  serialize: (row: Row) => T,
): ListPage<T> {
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    object: "list",
    data: page.map(serialize),
    has_more: hasMore,
    next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Prisma `where` for rows strictly after `cursor` in (created_at desc, id desc) order. */
export function afterCursor(cursor: { id: string; createdAt: Date } | null) {
  if (!cursor) return {};
  return {
    OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
  };
}

export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** `created[gte]` / `created[lte]` accept ISO 8601 or unix seconds. */
export const ZTimestampFilter = z.union([
  z
    .string()
    .regex(/^\d{1,12}$/)
    .transform((seconds) => new Date(Number(seconds) * 1000)),
  z.iso.datetime({ offset: true }).transform((iso) => new Date(iso)),
]);

export const CURSOR_SELECT = { id: true, createdAt: true } as const;

/**
 * The row `starting_after` names, found with `find` (which must scope it to the caller's merchant),
 * or null without one. An unknown id is a 422 on `starting_after`, never an empty page.
 */
export async function findCursor(
  startingAfter: string | undefined,
  noun: string,
  find: (id: string) => Promise<{ id: string; createdAt: Date } | null>,
): Promise<{ id: string; createdAt: Date } | null> {
  if (!startingAfter) return null;
  const cursor = await find(startingAfter);
  if (!cursor)
    throw new AppError("validation_failed", `starting_after: no such ${noun}`, {
      errors: [{ path: "starting_after", message: `no such ${noun}` }],
    });
  return cursor;
}

/** Prisma `where` for the `created[gte]` / `created[lte]` filters (nothing when neither is set). */
export function createdBetween(query: { "created[gte]"?: Date; "created[lte]"?: Date }) {
  const created = { gte: query["created[gte]"], lte: query["created[lte]"] };
  return created.gte || created.lte ? { createdAt: created } : {};
}

/** Query fields shared by the lists of money objects: chain, token symbol (any case), creation time. */
export const ZMoneyListFilters = {
  chain: z.string().max(32).optional(),
  token: z.string().max(16).optional(),
  "created[gte]": ZTimestampFilter.optional(),
  "created[lte]": ZTimestampFilter.optional(),
};

/** Prisma `where` for ZMoneyListFilters (rows with `chain`, `tokenSymbol` and `createdAt`). */
export function moneyListWhere(query: {
  chain?: string;
  token?: string;
  "created[gte]"?: Date;
  "created[lte]"?: Date;
}) {
  return {
    ...(query.chain ? { chain: query.chain } : {}),
    ...(query.token ? { tokenSymbol: { equals: query.token, mode: "insensitive" as const } } : {}),
    ...createdBetween(query),
  };
}
