"use client";

// The fields a money-routing change is confirmed with inside its dialog: the last 4 characters of
// an address that carries no checksum, and the owner's password (checked again on the server).

import { checkTypedAddress } from "@/lib/validation/address-confirmation";
import { FieldError, type FieldErrors, fieldErrorProps } from "../field-error";

export function AddressLastFour({
  prefix,
  address,
  errors,
  defaultValue,
}: {
  prefix: string;
  address: string;
  errors: FieldErrors;
  /** What was typed before a refused submission (a form keeps its values). */
  defaultValue?: string | undefined;
}) {
  const check = checkTypedAddress(address);
  if (check.kind !== "unchecked") return null;
  const id = `${prefix}-address_confirm`;
  return (
    <div className="field">
      <label htmlFor={id}>
        This address is all lower-case, so no checksum protects it against a typo. Type its last 4 characters
        to confirm it
      </label>
      <input
        id={id}
        name="address_confirm"
        defaultValue={defaultValue}
        required
        maxLength={4}
        size={6}
        autoComplete="off"
        spellCheck={false}
        {...fieldErrorProps(errors, "address_confirm", id)}
      />
      <FieldError errors={errors} field="address_confirm" id={id} />
    </div>
  );
}

export function PasswordField({ prefix, errors }: { prefix: string; errors: FieldErrors }) {
  const id = `${prefix}-password`;
  return (
    <div className="field">
      <label htmlFor={id}>Your password (required for money-routing changes)</label>
      <input
        id={id}
        name="password"
        type="password"
        required
        autoComplete="current-password"
        {...fieldErrorProps(errors, "password", id)}
      />
      <FieldError errors={errors} field="password" id={id} />
    </div>
  );
}

/** Errors shown inside the dialog keep it open; others close it and show on the form. */
export function dialogErrorOf(errors: FieldErrors): boolean {
  return Boolean(errors.password || errors.address_confirm);
}
