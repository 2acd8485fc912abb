import type { ReactNode } from "react";
import { CopyButton } from "../_components/copy-button";

/** An id, address, hash or link a merchant shares, with its Copy button beside it. */
export function Copyable({
  value,
  label,
  testId,
  children,
}: {
  value: string;
  /** What it is, for the button's name: "Copy {label}". */
  label: string;
  testId?: string;
  /** How to show it (a link, say); the value in code by default. */
  children?: ReactNode;
}) {
  return (
    <span className="copyable">
      {children ?? <code data-testid={testId}>{value}</code>}{" "}
      <CopyButton value={value} label={`Copy ${label}`} />
    </span>
  );
}
