import { instruments } from "./registry";

/** A JSON-RPC method name as a label (`eth_getLogs`); anything else `other`. */
export function rpcMethodLabel(method: string): string {
  return /^[a-z]{2,10}_[A-Za-z0-9]{1,40}$/.test(method) ? method : "other";
}

export type RpcOutcome = "ok" | "error" | "transport";

/** Starts timing one RPC call (lib/chains/rpc-pool.ts); the returned function records its outcome. */
export function rpcCallTimer(chain: string, method: string, urlIndex: number): (outcome: RpcOutcome) => void {
  const started = performance.now();
  return (outcome) => {
    const labels = { chain, method: rpcMethodLabel(method), url_index: String(urlIndex), outcome };
    const metrics = instruments();
    metrics.rpcDuration.observe(labels, (performance.now() - started) / 1_000);
    metrics.rpcRequests.inc(labels);
  };
}

/** Counts one run of an Inngest function (inngest/observability.ts); its duration spans sleeps, so none. */
export function countJobRun(job: string, outcome: "succeeded" | "failed"): void {
  instruments().jobRuns.inc({ job, outcome });
}

/** Starts timing one job run (lib/jobs/embedded-runner.ts); the returned function records its outcome. */
export function jobRunTimer(job: string): (outcome: "succeeded" | "failed") => void {
  const started = performance.now();
  return (outcome) => {
    const metrics = instruments();
    metrics.jobDuration.observe({ job, outcome }, (performance.now() - started) / 1_000);
    metrics.jobRuns.inc({ job, outcome });
  };
}

export type WebhookAttemptOutcome = "succeeded" | "http_error" | "network_error" | "unsendable";

/**
 * One webhook delivery attempt (lib/webhooks/deliver-webhook.ts): its outcome, the HTTP request's
 * time, and for a success the lag from the event's creation to its delivery.
 */
export function recordWebhookAttempt(
  result: { succeeded: boolean; statusCode: number | null; durationMs: number } | null,
  eventCreatedAt: Date,
  deliveredAt: Date,
): void {
  const outcome: WebhookAttemptOutcome = !result
    ? "unsendable"
    : result.succeeded
      ? "succeeded"
      : result.statusCode === null
        ? "network_error"
        : "http_error";
  const metrics = instruments();
  metrics.webhookAttempts.inc({ outcome });
  if (!result) return;
  metrics.webhookAttemptDuration.observe({ outcome }, result.durationMs / 1_000);
  if (result.succeeded)
    metrics.webhookLag.observe(Math.max(0, (deliveredAt.getTime() - eventCreatedAt.getTime()) / 1_000));
}
