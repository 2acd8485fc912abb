"use client";

import { useEffect, useState } from "react";

/**
 * Copies `value` to the clipboard. `label` is its accessible name ("Copy address"); `text`, when
 * given, is shown instead of "Copy" (a primary "Copy checkout link").
 */
export function CopyButton({
  value,
  label,
  text = "Copy",
  className = "button button-small",
}: {
  value: string;
  label: string;
  text?: string;
  className?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <button type="button" className={className} aria-label={label} onClick={() => void copy()}>
      <span aria-live="polite">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : text}
      </span>
    </button>
  );
}
