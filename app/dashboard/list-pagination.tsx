import Link from "next/link";
import { firstPageHref, nextPageHref } from "@/lib/dashboard/list-query";
import styles from "./dashboard.module.css";

/** "First page" (when not on it) and "Next page" links of a cursor-paginated list; both keep every filter. */
export function ListPagination({
  path,
  filters,
  nextCursor,
  cursorParam = "starting_after",
}: {
  path: string;
  filters: URLSearchParams;
  nextCursor: string | null;
  cursorParam?: string;
}) {
  const next = nextPageHref(path, filters, nextCursor, cursorParam);
  return (
    <nav aria-label="Pagination" className={styles.pagination}>
      {filters.has(cursorParam) ? (
        <Link href={firstPageHref(path, filters, cursorParam)}>← First page</Link>
      ) : null}
      {next ? <Link href={next}>Next page →</Link> : null}
    </nav>
  );
}

/**
 * A list with no rows: "no matches" with a way back when filters are set, else the real empty state.
 */
export function EmptyList({ noun, path, filtered }: { noun: string; path: string; filtered: boolean }) {
  return filtered ? (
    <p className="muted" data-testid="empty-list">
      No {noun} match these filters. <Link href={path}>Clear filters</Link>
    </p>
  ) : (
    <p className="muted" data-testid="empty-list">
      No {noun} yet.
    </p>
  );
}

/** The filters of a list URL other than its cursor are set. */
export function hasFilters(filters: URLSearchParams, cursorParam = "starting_after"): boolean {
  return [...filters.keys()].some((key) => key !== cursorParam);
}
