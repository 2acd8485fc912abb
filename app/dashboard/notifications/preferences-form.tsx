"use client";

import { useActionState } from "react";
import {
  NOTIFICATION_KIND_LABELS,
  NOTIFICATION_KINDS,
  type TNotificationKind,
} from "@/lib/notifications/kinds";
import { FormStatus } from "../field-error";
import { type NotificationPreferencesState, setNotificationPreferencesAction } from "./actions";

const INITIAL: NotificationPreferencesState = { saved: false, error: null, fieldErrors: {} };

export function NotificationPreferencesForm({ email }: { email: Record<TNotificationKind, boolean> }) {
  const [state, action, pending] = useActionState(setNotificationPreferencesAction, INITIAL);
  return (
    <form action={action} aria-label="Email notifications">
      <fieldset>
        <legend>Email me about</legend>
        {NOTIFICATION_KINDS.map((kind) => (
          <div className="field" key={kind}>
            <label>
              <input type="checkbox" name="email" value={kind} defaultChecked={email[kind]} />{" "}
              {NOTIFICATION_KIND_LABELS[kind]}
            </label>
          </div>
        ))}
      </fieldset>
      <FormStatus error={state.error} success={state.saved ? "Saved." : null} />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </button>
    </form>
  );
}
