import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { AppError } from "../errors";
import { signWebhook } from "./sign-webhook";
import { DEFAULT_ATTEMPT_TIMEOUT_MS, type WebhookDeps } from "./webhook-deps";
import {
  assertAddressesAllowed,
  parseWebhookUrl,
  type TWebhookTargetPolicy,
  webhookLookup,
} from "./webhook-target";

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
 * The target's address is checked at connect time (webhookLookup), not only when it was saved.
 */
export async function sendWebhook(
  deps: Pick<WebhookDeps, "now" | "timeoutMs" | "allowLoopbackTargets" | "resolveHost">,
  params: { url: string; secrets: string[]; messageId: string; body: string },
): Promise<WebhookSendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = deps.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  try {
    const headers = signWebhook({
      secrets: params.secrets,
      messageId: params.messageId,
      timestamp: deps.now?.() ?? new Date(),
      body: params.body,
    });
    const response = await post(params.url, {
      headers: { "content-type": "application/json", "user-agent": "cTrip-Pay-Webhooks/1.0", ...headers },
      body: params.body,
      timeoutMs,
      policy: { allowLoopbackTargets: deps.allowLoopbackTargets, resolveHost: deps.resolveHost },
    });
    const { responseSnippet } = response;
    const succeeded = response.status >= 200 && response.status < 300;
    const error = succeeded
      ? null
      : response.status >= 300 && response.status < 400
        ? `redirect to ${response.location ?? "(no location)"} not followed`
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

type PostResult = { status: number; location: string | undefined; responseSnippet: string | null };

/**
 * POST with node:http(s) rather than fetch: Node's global fetch takes no custom DNS lookup (only an
 * undici dispatcher, and undici is not a dependency), and the lookup is where the address check
 * must happen. IP literals never reach a lookup, so they are checked here.
 */
function post(
  url: string,
  options: { headers: Record<string, string>; body: string; timeoutMs: number; policy: TWebhookTargetPolicy },
): Promise<PostResult> {
  const target = parseWebhookUrl(url);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) assertAddressesAllowed(host, [host], options.policy);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve, reject) => {
    const request = send(target, {
      method: "POST",
      headers: { ...options.headers, "content-length": Buffer.byteLength(options.body) },
      lookup: webhookLookup(options.policy),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    request.on("error", reject);
    request.on("response", (response) => {
      readSnippet(response).then(
        (responseSnippet) =>
          resolve({ status: response.statusCode ?? 0, location: response.headers.location, responseSnippet }),
        reject,
      );
    });
    request.end(options.body);
  });
}

/** Reads at most RESPONSE_SNIPPET_BYTES and drops the rest of the body. */
async function readSnippet(response: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
      if (size >= RESPONSE_SNIPPET_BYTES) break;
    }
  } finally {
    response.destroy();
  }
  const text = Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString("utf8");
  return text === "" ? null : text;
}

function isTimeout(cause: unknown): boolean {
  return cause instanceof Error && cause.name === "TimeoutError";
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof Error && (error.name === "TimeoutError" || isTimeout(error.cause)))
    return `timed out after ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
