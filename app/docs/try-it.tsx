"use client";

import { type FormEvent, useId, useState, useSyncExternalStore } from "react";
import styles from "./docs.module.css";

// The API key lives in this tab's sessionStorage only and is sent nowhere but this origin: requests
// use relative URLs, and the curl example shows `$CTRIP_API_KEY` instead of the key.
const STORAGE_KEY = "ctrip-docs-api-key";
const CHANGE_EVENT = "ctrip-docs-api-key-change";

function subscribeApiKey(onChange: () => void): () => void {
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => window.removeEventListener(CHANGE_EVENT, onChange);
}

function readApiKey(): string {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY) ?? "";
  } catch {
    return ""; // storage disabled: the key simply is not remembered
  }
}

function writeApiKey(value: string): void {
  try {
    if (value) window.sessionStorage.setItem(STORAGE_KEY, value);
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: nothing to remember the key in
  }
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

function useApiKey(): [string, (value: string) => void] {
  const apiKey = useSyncExternalStore(subscribeApiKey, readApiKey, () => "");
  return [apiKey, writeApiKey];
}

/** One API key field; every field on the page shows and edits the same key. */
export function ApiKeyField() {
  const id = useId();
  const [apiKey, setApiKey] = useApiKey();
  return (
    <div className={styles.field}>
      <label htmlFor={id}>API key (kept in this tab only)</label>
      <div className={styles.row}>
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="sk_…"
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value.trim())}
        />
        {apiKey && (
          <button type="button" className={styles.secondary} onClick={() => setApiKey("")}>
            Forget
          </button>
        )}
      </div>
      {apiKey && !apiKey.startsWith("sk_") && <p className={styles.warning}>Secret keys start with sk_.</p>}
    </div>
  );
}

type Param = { name: string; required: boolean; example: string; hint: string };
export type TryItProps = {
  method: string;
  path: string;
  serverUrl: string;
  requiresAuth: boolean;
  pathParams: Param[];
  queryParams: Param[];
  idempotent: boolean;
  bodyExample?: string;
};

type Outcome =
  | {
      kind: "response";
      status: number;
      statusText: string;
      headers: [string, string][];
      body: string;
      ms: number;
    }
  | { kind: "error"; message: string };

const SHOWN_HEADERS = ["content-type", "request-id", "retry-after", "idempotent-replayed"];

function requestPath(path: string, pathValues: Record<string, string>, queryValues: Record<string, string>) {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathValues[name] ?? ""));
  const query = new URLSearchParams(Object.entries(queryValues).filter(([, value]) => value !== ""));
  const search = query.toString();
  return search ? `${filled}?${search}` : filled;
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function curlCommand(props: TryItProps, url: string, body: string, idempotencyKey: string): string {
  const lines = [`curl -X ${props.method} ${shellQuote(`${props.serverUrl}${url}`)}`];
  if (props.requiresAuth) lines.push(`-H "Authorization: Bearer $CTRIP_API_KEY"`);
  if (props.idempotent)
    lines.push(`-H ${shellQuote(`Idempotency-Key: ${idempotencyKey || "<unique key>"}`)}`);
  if (props.bodyExample !== undefined) {
    lines.push(`-H 'Content-Type: application/json'`);
    lines.push(`-d ${shellQuote(compactJson(body))}`);
  }
  return lines.join(" \\\n  ");
}

function compactJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function randomKey(): string {
  // randomUUID needs a secure context; getRandomValues works on plain http too.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The "Try it" form of one operation, with a curl command that follows what is typed. */
export function TryIt(props: TryItProps) {
  const id = useId();
  const [apiKey] = useApiKey();
  const [pathValues, setPathValues] = useState(() =>
    Object.fromEntries(props.pathParams.map((param) => [param.name, param.example])),
  );
  const [queryValues, setQueryValues] = useState(() =>
    Object.fromEntries(props.queryParams.map((param) => [param.name, param.example])),
  );
  const [body, setBody] = useState(props.bodyExample ?? "");
  const [idempotencyKey, setIdempotencyKey] = useState("");
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const url = requestPath(props.path, pathValues, queryValues);

  async function send() {
    setSending(true);
    setOutcome(null);
    const headers: Record<string, string> = { accept: "application/json" };
    if (props.requiresAuth && apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (props.idempotent && idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    if (props.bodyExample !== undefined) headers["content-type"] = "application/json";
    const started = performance.now();
    try {
      // A relative URL: the request (and the key) only ever goes to this origin.
      const response = await fetch(url, {
        method: props.method,
        headers,
        body: props.bodyExample === undefined ? undefined : body,
        credentials: "omit",
        cache: "no-store",
      });
      const text = await response.text();
      setOutcome({
        kind: "response",
        status: response.status,
        statusText: response.statusText,
        headers: SHOWN_HEADERS.flatMap((name) => {
          const value = response.headers.get(name);
          return value === null ? [] : [[name, value] as [string, string]];
        }),
        body: prettyJson(text),
        ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      setOutcome({ kind: "error", message: error instanceof Error ? error.message : String(error) });
    } finally {
      setSending(false);
    }
  }

  return (
    <div className={styles.tryIt}>
      <h4>Example request</h4>
      <pre className={styles.code}>
        <code>{curlCommand(props, url, body, idempotencyKey)}</code>
      </pre>

      <details className={styles.tryItPanel}>
        <summary>Try it</summary>
        <form
          onSubmit={(event: FormEvent<HTMLFormElement>) => {
            event.preventDefault();
            void send();
          }}
        >
          {props.requiresAuth && <ApiKeyField />}
          {props.pathParams.map((param) => (
            <div className={styles.field} key={`path-${param.name}`}>
              <label htmlFor={`${id}-path-${param.name}`}>
                <code>{param.name}</code> <span className="muted">path</span>
              </label>
              <input
                id={`${id}-path-${param.name}`}
                required
                spellCheck={false}
                value={pathValues[param.name] ?? ""}
                onChange={(event) => setPathValues({ ...pathValues, [param.name]: event.target.value })}
              />
            </div>
          ))}
          {props.queryParams.map((param) => (
            <div className={styles.field} key={`query-${param.name}`}>
              <label htmlFor={`${id}-query-${param.name}`}>
                <code>{param.name}</code>{" "}
                <span className="muted">{param.required ? "query" : "query, optional"}</span>
              </label>
              <input
                id={`${id}-query-${param.name}`}
                required={param.required}
                placeholder={param.hint}
                spellCheck={false}
                value={queryValues[param.name] ?? ""}
                onChange={(event) => setQueryValues({ ...queryValues, [param.name]: event.target.value })}
              />
            </div>
          ))}
          {props.idempotent && (
            <div className={styles.field}>
              <label htmlFor={`${id}-idempotency`}>
                <code>Idempotency-Key</code> <span className="muted">header, optional</span>
              </label>
              <div className={styles.row}>
                <input
                  id={`${id}-idempotency`}
                  spellCheck={false}
                  maxLength={255}
                  value={idempotencyKey}
                  onChange={(event) => setIdempotencyKey(event.target.value)}
                />
                <button
                  type="button"
                  className={styles.secondary}
                  onClick={() => setIdempotencyKey(randomKey())}
                >
                  New key
                </button>
              </div>
            </div>
          )}
          {props.bodyExample !== undefined && (
            <div className={styles.field}>
              <label htmlFor={`${id}-body`}>
                Body <span className="muted">application/json</span>
              </label>
              <textarea
                id={`${id}-body`}
                rows={Math.min(16, body.split("\n").length + 1)}
                spellCheck={false}
                value={body}
                onChange={(event) => setBody(event.target.value)}
              />
              <button
                type="button"
                className={styles.secondary}
                onClick={() => setBody(props.bodyExample ?? "")}
              >
                Reset example
              </button>
            </div>
          )}
          <div className={styles.row}>
            <button type="submit" className={styles.primary} disabled={sending}>
              {sending ? "Sending…" : `Send ${props.method} ${url}`}
            </button>
            {props.requiresAuth && !apiKey && <span className={styles.warning}>Paste an API key first.</span>}
          </div>
        </form>

        {outcome?.kind === "error" && (
          <p className={styles.warning} role="alert">
            Request failed: {outcome.message}
          </p>
        )}
        {outcome?.kind === "response" && (
          <output className={styles.result} aria-live="polite">
            <p>
              <span
                className={`${styles.status} ${outcome.status < 400 ? styles.statusOk : styles.statusError}`}
              >
                {outcome.status} {outcome.statusText}
              </span>{" "}
              <span className="muted">{outcome.ms} ms</span>
            </p>
            {outcome.headers.length > 0 && (
              <ul className={styles.headers}>
                {outcome.headers.map(([name, value]) => (
                  <li key={name}>
                    <code>
                      {name}: {value}
                    </code>
                  </li>
                ))}
              </ul>
            )}
            <pre className={styles.code}>
              <code>{outcome.body || "(empty body)"}</code>
            </pre>
          </output>
        )}
      </details>
    </div>
  );
}
