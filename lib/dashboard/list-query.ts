import type { z } from "zod";

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The list filters of a dashboard page's URL, parsed with the API's own query schema: only `keys`
 * are read, empty values (a filter form's "All") are dropped, and a URL that does not parse shows
 * the unfiltered first page instead of an error.
 */
export function parseListQuery<Schema extends z.ZodType>(
  schema: Schema,
  searchParams: SearchParams,
  keys: readonly string[],
): { query: z.infer<Schema>; filters: URLSearchParams } {
  const filters = new URLSearchParams();
  for (const key of keys) {
    const value = searchParams[key];
    if (typeof value === "string" && value !== "") filters.set(key, value);
  }
  const parsed = schema.safeParse(Object.fromEntries(filters));
  if (parsed.success) return { query: parsed.data, filters };
  return { query: schema.parse({}), filters: new URLSearchParams() };
}

/** The URL of the next page: the same filters, after `cursor` (in `cursorParam`). */
export function nextPageHref(
  path: string,
  filters: URLSearchParams,
  cursor: string | null,
  cursorParam = "starting_after",
): string | null {
  if (!cursor) return null;
  const next = new URLSearchParams(filters);
  next.set(cursorParam, cursor);
  return `${path}?${next}`;
}

/** The URL of the first page with the same filters (every one of them, only the cursor dropped). */
export function firstPageHref(
  path: string,
  filters: URLSearchParams,
  cursorParam = "starting_after",
): string {
  const first = new URLSearchParams(filters);
  first.delete(cursorParam);
  const search = first.toString();
  return search ? `${path}?${search}` : path;
}
