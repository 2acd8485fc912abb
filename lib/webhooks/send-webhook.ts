import { AppError } from "../errors";
import { signWebhook } from "./sign-webhook";
import { DEFAULT_ATTEMPT_TIMEOUT_MS, type WebhookDeps } from "./webhook-deps";
import { assertWebhookTargetAllowed } from "./webhook-target";

export const RESPONSE_SNIPPET_BYTES = 1024;

export type WebhookSendResult = {
  succeeded: boolean;
  /** HTTP status, or null when no response arrived (timeout, DNS, connection refused). */
  statusCode: number | null;
  durationMs: number;
  /** First 1 KB of the response body. */
  responseSnippet: string | null;
  error: string | null;
};

/**
 * One signed POST to a webhook endpoint. Never throws: every outcome is a result to log. Only a 2xx
 * is a success; redirects are not followed (a 3xx is a failure: the target must be the real URL).
 */
export async function sendWebhook(
  deps: Pick<WebhookDeps, "fetch" | "now" | "timeoutMs" | "allowPrivateTargets" | "resolveHost">,
  params: { url: string; secrets: string[]; messageId: string; body: string },
): Promise<WebhookSendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = deps.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  try {
    await assertWebhookTargetAllowed(params.url, {
      allowPrivateTargets: deps.allowPrivateTargets,
      resolve: deps.resolveHost,
    });
    const headers = signWebhook({
      secrets: params.secrets,
      messageId: params.messageId,
      timestamp: deps.now?.() ?? new Date(),
      body: params.body,
    });
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await (deps.fetch ?? fetch)(params.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "cTrip-Pay-Webhooks/1.0", ...headers },
      body: params.body,
      redirect: "manual",
      signal,
    });
    const responseSnippet = await readSnippet(response);
    const succeeded = response.status >= 200 && response.status < 300;
    const error = succeeded
      ? null
      : response.status >= 300 && response.status < 400
        ? `redirect to ${response.headers.get("location") ?? "(no location)"} not followed`
        : `HTTP ${response.status}`;
    return { succeeded, statusCode: response.status, durationMs: elapsed(), responseSnippet, error };
  } catch (error) {
    return {
      succeeded: false,
      statusCode: null,
      durationMs: elapsed(),
      responseSnippet: null,
      error: describeError(error, timeoutMs),
    };
  }
}

/** Reads at most RESPONSE_SNIPPET_BYTES and drops the rest of the body. */
async function readSnippet(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString("utf8");
  return text === "" ? null : text;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof DOMException && error.name === "TimeoutError")
    return `timed out after ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
