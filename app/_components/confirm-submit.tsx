"use client";

// The confirmation step of an action that moves or routes money, or cannot be undone: the button
// opens a modal <dialog> (the page behind is inert, focus stays inside, Escape or "Go back"
// cancels) with a summary of what will happen; only its confirm button submits the enclosing form.
// Pressing Enter in a field of the form opens the dialog too instead of submitting around it.

import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";

export type SummaryRow = { label: string; value: string; testId?: string };

export function ConfirmSubmit({
  label,
  ariaLabel,
  className = "button",
  title,
  rows,
  consequence,
  body,
  confirmLabel,
  danger = false,
  pending = false,
  result,
  keepOpen = false,
}: {
  /** The button that opens the dialog. */
  label: string;
  ariaLabel?: string;
  className?: string;
  title: string;
  /** A summary known when the page renders (amount, recipient, network…). */
  rows?: readonly SummaryRow[];
  /** What follows from confirming, in words (known when the page renders). */
  consequence?: string;
  /** More of the dialog, from the form's values when it opens (summary, consequence, password field). */
  body?: (values: FormData) => ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending?: boolean;
  /** The action's latest result: when it changes, the dialog closes unless `keepOpen`. */
  result?: unknown;
  keepOpen?: boolean;
}) {
  const triggerRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState<FormData | null>(null);
  const titleId = useId();
  const bodyId = useId();

  const open = () => {
    const form = triggerRef.current?.form;
    if (!form?.reportValidity()) return;
    setValues(new FormData(form));
    dialogRef.current?.showModal();
  };

  // Implicit submission (Enter in a field) while the dialog is closed opens it instead.
  useEffect(() => {
    const form = triggerRef.current?.form;
    if (!form) return;
    const guard = (event: SubmitEvent) => {
      if (dialogRef.current?.open) return;
      event.preventDefault();
      open();
    };
    form.addEventListener("submit", guard);
    return () => form.removeEventListener("submit", guard);
  });

  // Focus the first field of the dialog (a password, a confirmation), else "Go back".
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!values || !dialog?.open) return;
    const first = dialog.querySelector<HTMLElement>("input:not([type=hidden]), [data-autofocus]");
    first?.focus();
  }, [values]);

  const lastResult = useRef(result);
  useEffect(() => {
    if (result === lastResult.current) return;
    lastResult.current = result;
    if (!keepOpen) dialogRef.current?.close();
  }, [result, keepOpen]);

  return (
    <>
      <button ref={triggerRef} type="button" className={className} aria-label={ariaLabel} onClick={open}>
        {label}
      </button>
      <dialog
        ref={dialogRef}
        className="confirm-dialog"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        onKeyDown={trapFocus}
        onClose={() => {
          setValues(null);
          triggerRef.current?.focus();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <div id={bodyId}>
          {rows && rows.length > 0 ? <SummaryList rows={rows} /> : null}
          {consequence ? <p className="confirm-consequence">{consequence}</p> : null}
          {values && body ? body(values) : null}
        </div>
        <div className="confirm-actions">
          <button
            type="button"
            className="button button-secondary"
            data-autofocus={body ? undefined : true}
            onClick={() => dialogRef.current?.close()}
          >
            Go back
          </button>
          <button type="submit" className={danger ? "button button-danger" : "button"} disabled={pending}>
            {pending ? "Working…" : confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

const FOCUSABLE =
  "button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, a[href]";

/**
 * Tab and Shift+Tab cycle inside the dialog: a modal <dialog> makes the page inert, but Tab past its
 * last control would still leave for the browser's own UI.
 */
function trapFocus(event: KeyboardEvent<HTMLDialogElement>) {
  if (event.key !== "Tab") return;
  const focusable = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/** The rows of a summary computed from a form's values (client forms). */
export function SummaryList({ rows }: { rows: readonly SummaryRow[] }) {
  return (
    <dl className="confirm-summary">
      {rows.map((row) => (
        <div key={row.label}>
          <dt>{row.label}</dt>
          <dd data-testid={row.testId}>{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}
