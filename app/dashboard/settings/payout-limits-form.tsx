"use client";

import { useActionState } from "react";
import type { TPayoutLimitsObject } from "@/lib/payouts/payout-limits";
import { utcTimeText } from "@/lib/settlement/setting-change-object";
import { ConfirmSubmit } from "../../_components/confirm-submit";
import { FieldError, FormStatus, fieldErrorProps } from "../field-error";
import { type PayoutLimitsState, setPayoutLimitsAction } from "./actions";
import { dialogErrorOf, PasswordField } from "./password-confirmation";

const INITIAL: PayoutLimitsState = { saved: false, error: null, fieldErrors: {}, values: null };

const FIELDS = [
  { name: "max_per_payout", label: "Max per payout" },
  { name: "max_per_day", label: "Max per 24 hours" },
  { name: "auto_approve_below", label: "Auto-approve below" },
] as const;

/** Payout limits of one chain and token; an empty field means no limit (no auto-approval). */
export function PayoutLimitsForm({
  chain,
  token,
  current,
}: {
  chain: string;
  token: string;
  current: TPayoutLimitsObject | null;
}) {
  const [state, action, pending] = useActionState(setPayoutLimitsAction, INITIAL);
  const errors = state.fieldErrors;
  const prefix = `limits-${chain}-${token}`;
  return (
    <form
      action={action}
      className="inline-form"
      data-testid={prefix}
      aria-label={`${token} on ${chain} limits`}
    >
      <input type="hidden" name="chain" value={chain} />
      <input type="hidden" name="token" value={token} />
      {FIELDS.map((field) => (
        <div className="field" key={field.name}>
          <label htmlFor={`${prefix}-${field.name}`}>
            {field.label} ({token} on {chain})
          </label>
          <input
            id={`${prefix}-${field.name}`}
            name={field.name}
            inputMode="decimal"
            autoComplete="off"
            placeholder="no limit"
            defaultValue={state.values?.[field.name] ?? current?.[field.name] ?? ""}
            {...fieldErrorProps(errors, field.name, `${prefix}-${field.name}`)}
          />
          <FieldError errors={errors} field={field.name} id={`${prefix}-${field.name}`} />
        </div>
      ))}
      <ConfirmSubmit
        label={`Save ${token} limits on ${chain}`}
        title={`Change the ${token} payout limits on ${chain}?`}
        confirmLabel="Confirm and save"
        pending={pending}
        result={state}
        keepOpen={dialogErrorOf(errors)}
        body={(values) => (
          <>
            <p className="confirm-consequence" data-testid="limits-consequence">
              {limitsConsequence(values, token, chain)}
            </p>
            <PasswordField prefix={prefix} errors={errors} />
          </>
        )}
      />
      <FormStatus
        error={dialogErrorOf(errors) ? null : state.error}
        success={
          !state.saved
            ? null
            : state.effectiveAt
              ? `${token} limits on ${chain} saved: tighter limits apply now, the rest takes effect at ${utcTimeText(state.effectiveAt)}.`
              : `${token} limits on ${chain} saved.`
        }
      />
    </form>
  );
}

/** What the limits typed into the form will do, in words. */
function limitsConsequence(values: FormData, token: string, chain: string): string {
  const value = (name: string) => String(values.get(name) ?? "").trim();
  const [max, daily, auto] = [value("max_per_payout"), value("max_per_day"), value("auto_approve_below")];
  return [
    auto
      ? `Payouts of ${token} on ${chain} below ${auto} ${token} are sent without your approval.`
      : `Every ${token} payout on ${chain} waits for your approval.`,
    max ? `A payout above ${max} ${token} is refused.` : "No maximum per payout.",
    daily ? `At most ${daily} ${token} is paid out in any 24 hours.` : "No daily maximum.",
    "Higher limits take effect after the money-routing delay; lower ones at once.",
  ].join(" ");
}
