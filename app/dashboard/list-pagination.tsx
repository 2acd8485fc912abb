import Link from "next/link";
import { firstPageHref, nextPageHref } from "@/lib/dashboard/list-query";
import styles from "./dashboard.module.css";

/** "First page" (when not on it) and "Next page" links of a cursor-paginated list. */
export function ListPagination({
  path,
  filters,
  nextCursor,
}: {
  path: string;
  filters: URLSearchParams;
  nextCursor: string | null;
}) {
  const next = nextPageHref(path, filters, nextCursor);
  return (
    <nav aria-label="Pagination" className={styles.pagination}>
      {filters.has("starting_after") ? <Link href={firstPageHref(path, filters)}>← First page</Link> : null}
      {next ? <Link href={next}>Next page →</Link> : null}
    </nav>
  );
}
