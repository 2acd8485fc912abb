"use client";

import { useActionState } from "react";
import { EVENT_TYPES } from "@/lib/events/event-object";
import type { TWebhookEndpointObject } from "@/lib/webhooks/webhook-endpoint-object";
import { CopyButton } from "../../_components/copy-button";
import styles from "../dashboard.module.css";
import {
  type CreateEndpointState,
  createWebhookEndpointAction,
  type UpdateEndpointState,
  updateWebhookEndpointAction,
} from "./actions";

function EndpointFields({
  idPrefix,
  endpoint,
  fieldErrors,
}: {
  idPrefix: string;
  endpoint?: TWebhookEndpointObject;
  fieldErrors: Record<string, string>;
}) {
  const id = (field: string) => `${idPrefix}-${field}`;
  const aria = (field: string) => ({
    "aria-invalid": Boolean(fieldErrors[field]),
    "aria-describedby": fieldErrors[field] ? `${id(field)}-error` : undefined,
  });
  const message = (field: string) =>
    fieldErrors[field] ? (
      <span id={`${id(field)}-error`} className="form-error">
        {fieldErrors[field]}
      </span>
    ) : null;
  const enabled = new Set<string>(endpoint?.enabled_events ?? []);
  return (
    <>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={id("url")}>Endpoint URL</label>
          <input
            id={id("url")}
            name="url"
            type="url"
            required
            maxLength={2048}
            placeholder="https://example.com/webhooks/ctrip"
            defaultValue={endpoint?.url}
            {...aria("url")}
          />
          {message("url")}
        </div>
        <div className="field">
          <label htmlFor={id("description")}>Description (optional)</label>
          <input
            id={id("description")}
            name="description"
            maxLength={1000}
            defaultValue={endpoint?.description ?? ""}
            {...aria("description")}
          />
          {message("description")}
        </div>
      </div>
      <fieldset className={styles.eventChoices} aria-describedby={`${id("events")}-hint`}>
        <legend>Events to send</legend>
        <p id={`${id("events")}-hint`} className="muted" style={{ gridColumn: "1 / -1", margin: 0 }}>
          Leave every box unticked to receive all events.
        </p>
        {EVENT_TYPES.map((type) => (
          <label key={type}>
            <input type="checkbox" name="enabled_events" value={type} defaultChecked={enabled.has(type)} />
            {type}
          </label>
        ))}
        {message("enabled_events")}
      </fieldset>
    </>
  );
}

const CREATE_INITIAL: CreateEndpointState = { error: null, fieldErrors: {}, created: null };

export function CreateEndpointForm() {
  const [state, action, pending] = useActionState(createWebhookEndpointAction, CREATE_INITIAL);
  return (
    <>
      <form action={action}>
        <EndpointFields idPrefix="new-endpoint" fieldErrors={state.fieldErrors} />
        {state.error ? (
          <p className="form-error" role="alert">
            {state.error}
          </p>
        ) : null}
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Adding…" : "Add endpoint"}
        </button>
      </form>
      {state.created ? (
        <div className="secret-box" role="status">
          <p>
            Endpoint <a href={`/dashboard/webhooks/${state.created.id}`}>{state.created.url}</a> added. Copy
            its signing secret now: it is shown only once. Verify deliveries with it (Standard Webhooks).
          </p>
          <p className="copy-row">
            <code data-testid="new-webhook-secret">{state.created.secret}</code>
            <CopyButton value={state.created.secret} label="Copy signing secret" />
          </p>
        </div>
      ) : null}
    </>
  );
}

const UPDATE_INITIAL: UpdateEndpointState = { saved: false, error: null, fieldErrors: {} };

export function EditEndpointForm({ endpoint }: { endpoint: TWebhookEndpointObject }) {
  const [state, action, pending] = useActionState(updateWebhookEndpointAction, UPDATE_INITIAL);
  return (
    <form action={action}>
      <input type="hidden" name="endpointId" value={endpoint.id} />
      <EndpointFields idPrefix="edit-endpoint" endpoint={endpoint} fieldErrors={state.fieldErrors} />
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.saved ? (
        <p className="notice-ok" role="status">
          Endpoint saved.
        </p>
      ) : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Save endpoint"}
      </button>
    </form>
  );
}
