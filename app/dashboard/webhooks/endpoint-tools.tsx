"use client";

import { useActionState } from "react";
import { CopyButton } from "../../_components/copy-button";
import styles from "../dashboard.module.css";
import {
  type RotateSecretState,
  rotateWebhookSecretAction,
  sendTestWebhookAction,
  type TestWebhookState,
} from "./actions";

const ROTATE_INITIAL: RotateSecretState = { secret: null, error: null };

export function RotateSecretForm({ endpointId }: { endpointId: string }) {
  const [state, action, pending] = useActionState(rotateWebhookSecretAction, ROTATE_INITIAL);
  return (
    <>
      <form action={action}>
        <input type="hidden" name="endpointId" value={endpointId} />
        <button type="submit" className="button button-secondary" disabled={pending}>
          {pending ? "Rotating…" : "Rotate secret"}
        </button>
      </form>
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.secret ? (
        <div className="secret-box" role="status">
          <p>
            New signing secret: copy it now, it is shown only once. The previous secret keeps signing
            deliveries for 24 hours (both signatures are sent), so you can deploy the new one without missing
            a webhook.
          </p>
          <p className="copy-row">
            <code data-testid="rotated-webhook-secret">{state.secret}</code>
            <CopyButton value={state.secret} label="Copy new signing secret" />
          </p>
        </div>
      ) : null}
    </>
  );
}

const TEST_INITIAL: TestWebhookState = { result: null, error: null };

export function SendTestForm({ endpointId }: { endpointId: string }) {
  const [state, action, pending] = useActionState(sendTestWebhookAction, TEST_INITIAL);
  const result = state.result;
  return (
    <>
      <form action={action}>
        <input type="hidden" name="endpointId" value={endpointId} />
        <button type="submit" className="button button-secondary" disabled={pending}>
          {pending ? "Sending…" : "Send test event"}
        </button>
      </form>
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {result ? (
        <div
          className={result.succeeded ? styles.noticeOk : styles.noticeBad}
          role="status"
          data-testid="test-webhook-result"
        >
          <p>
            <strong>{result.succeeded ? "Test event delivered" : "Test event failed"}</strong>:{" "}
            {result.status_code === null ? "no response" : `HTTP ${result.status_code}`} in{" "}
            {result.duration_ms} ms (event <code>{result.event_id}</code>, type{" "}
            <code>webhook_endpoint.test</code>).
          </p>
          {result.error ? <p className="form-error">{result.error}</p> : null}
          {result.response_snippet ? <pre className={styles.snippet}>{result.response_snippet}</pre> : null}
        </div>
      ) : null}
    </>
  );
}
