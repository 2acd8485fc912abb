import type { WebhookEndpointHealth } from "@/lib/webhooks/webhook-endpoint-health";
import { formatTimestamp } from "../status-badge";

const TONE = { healthy: "badge-ok", failing: "badge-bad", disabled: "badge-muted" } as const;

/** The endpoint's health badge (lib/webhooks/webhook-endpoint-health.ts defines the rule) and why. */
export function EndpointHealth({ health }: { health: WebhookEndpointHealth | undefined }) {
  if (!health) return null;
  return (
    <>
      <span className={`badge ${TONE[health.status]}`} data-testid="endpoint-status">
        {health.status}
      </span>{" "}
      <span className="muted" data-testid="endpoint-health-detail">
        {healthDetail(health)}
      </span>
    </>
  );
}

function healthDetail(health: WebhookEndpointHealth): string {
  if (health.lastAttemptAt === null) return "no deliveries yet";
  const code = health.lastStatusCode === null ? "no response" : `HTTP ${health.lastStatusCode}`;
  const last = `last attempt ${code}, ${formatTimestamp(health.lastAttemptAt.toISOString())}`;
  if (health.consecutiveFailures === 0) return last;
  const failures = `${health.consecutiveFailures} failed in a row`;
  const success = health.lastSuccessAt
    ? `last success ${formatTimestamp(health.lastSuccessAt.toISOString())}`
    : "no success yet";
  return `${last} · ${failures} · ${success}`;
}
