import type { ReactNode } from "react";
import styles from "./dashboard.module.css";

/**
 * A table with a screen-reader caption and column headers; rows as children. On phones the rows
 * become cards: each cell shows its column from its `data-label` (cellLabels), nothing off-screen.
 */
export function DataTable({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: readonly string[];
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className={styles.cards}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
