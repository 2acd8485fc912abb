"use client";

import { useActionState } from "react";
import type { MerchantSettings } from "@/lib/merchants/merchant-settings";
import { type SettingsState, updateSettingsAction } from "./actions";

const INITIAL: SettingsState = { saved: false, error: null, fieldErrors: {} };

export function SettingsForm({ settings }: { settings: MerchantSettings }) {
  const [state, action, pending] = useActionState(updateSettingsAction, INITIAL);
  const error = (field: string) => state.fieldErrors[field];
  const fieldAria = (field: string) => ({
    "aria-invalid": Boolean(error(field)),
    "aria-describedby": error(field) ? `${field}-error` : undefined,
  });
  const message = (field: string) =>
    error(field) ? (
      <span id={`${field}-error`} className="form-error">
        {error(field)}
      </span>
    ) : null;
  return (
    <form action={action}>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="name">Business name (shown on the checkout)</label>
          <input
            id="name"
            name="name"
            required
            maxLength={100}
            defaultValue={settings.name}
            {...fieldAria("name")}
          />
          {message("name")}
        </div>
        <div className="field">
          <label htmlFor="brandColor">Brand colour (#rrggbb, optional)</label>
          <input
            id="brandColor"
            name="brandColor"
            pattern="#[0-9a-fA-F]{6}"
            placeholder="#4f46e5"
            defaultValue={settings.brandColor ?? ""}
            {...fieldAria("brandColor")}
          />
          {message("brandColor")}
        </div>
        <div className="field">
          <label htmlFor="defaultExpiryMinutes">Default expiry of new payments (minutes)</label>
          <input
            id="defaultExpiryMinutes"
            name="defaultExpiryMinutes"
            type="number"
            min={1}
            max={10080}
            required
            defaultValue={settings.defaultExpiryMinutes}
            {...fieldAria("defaultExpiryMinutes")}
          />
          {message("defaultExpiryMinutes")}
        </div>
      </div>
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.saved ? (
        <p className="notice-ok" role="status">
          Settings saved.
        </p>
      ) : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Save settings"}
      </button>
    </form>
  );
}
