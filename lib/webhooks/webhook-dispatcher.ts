import { env } from "../config/env";
import type { Db } from "../db/client";
import type { Logger } from "../logger";
import {
  type DeliveryOutcome,
  deliverLoadedWebhook,
  type LoadedWebhookDelivery,
  leaseUntil,
  loadWebhookDeliveries,
} from "./deliver-webhook";
import { type WebhookDeps, webhookDeps } from "./webhook-deps";

export type WebhookDispatcherOptions = {
  /** Attempts in flight at once, over all endpoints. */
  concurrency?: number;
  /** Attempts in flight per endpoint, so a hanging endpoint never holds more than this many slots. */
  perEndpoint?: number;
  /**
   * Attempts in flight per merchant, over all its endpoints, so one tenant's slow endpoints never
   * hold the slots of every other tenant (WEBHOOK_CONCURRENCY_PER_MERCHANT, 16 by default).
   */
  perMerchant?: number;
  /** Called after each attempt (tests and the benchmark observe through it). */
  onAttempt?: (outcome: DeliveryOutcome) => void;
};

type ClaimedDelivery = { id: string; endpoint_id: string; merchant_id: string };

/** Adds `delta` to a count of attempts in flight; a count reaching 0 leaves the map. */
function countIn(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

export type WebhookDispatcher = {
  /**
   * Claims due deliveries up to the free capacity and starts them; resolves once they are started.
   * Until the next claim finds nothing, each finished attempt claims again without waiting for a tick.
   */
  tick(): Promise<number>;
  /** Stops refilling and resolves when every started attempt has finished. */
  drain(): Promise<void>;
  readonly inFlight: number;
};

/**
 * The embedded runner's delivery engine. Each tick claims due deliveries with
 * `FOR UPDATE SKIP LOCKED` and a lease (next_attempt_at moved past the attempt), so concurrent
 * workers never send the same attempt twice, and starts them without waiting: the next tick runs
 * while slow endpoints are still answering. Per-endpoint limits keep a dead or hanging endpoint from
 * taking the slots of healthy ones, per-merchant limits keep one tenant's endpoints from taking those
 * of other tenants, and a claim hands out slots round-robin: every merchant with due work gets its
 * next slot before any merchant gets one more.
 */
export function createWebhookDispatcher(
  deps: WebhookDeps,
  options: WebhookDispatcherOptions = {},
): WebhookDispatcher {
  const concurrency = options.concurrency ?? 64;
  const perEndpoint = options.perEndpoint ?? 16;
  const perMerchant = options.perMerchant ?? 16;
  const running = new Set<Promise<void>>();
  const perEndpointInFlight = new Map<string, number>();
  const perMerchantInFlight = new Map<string, number>();
  // Refilling: when an attempt finishes and the last claim found work, claim again at once instead
  // of waiting for the next tick, so throughput is bounded by the receivers, not the tick interval.
  let claiming: Promise<number> | undefined;
  let claimAgain = false;
  let refill = false;

  async function claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = deps.now?.() ?? new Date();
    const endpoints = [...perEndpointInFlight];
    const merchants = [...perMerchantInFlight];
    const busyEndpoints = endpoints.filter(([, count]) => count >= perEndpoint).map(([id]) => id);
    const busyMerchants = merchants.filter(([, count]) => count >= perMerchant).map(([id]) => id);
    return deps.db.$queryRaw<ClaimedDelivery[]>`
      WITH candidates AS (
        -- The oldest due deliveries only (index on status, next_attempt_at), of endpoints and
        -- merchants with a free slot.
        SELECT delivery.id, delivery.endpoint_id, endpoint.merchant_id, delivery.next_attempt_at
        FROM webhook_deliveries delivery JOIN webhook_endpoints endpoint ON endpoint.id = delivery.endpoint_id
        WHERE delivery.status = 'pending' AND delivery.next_attempt_at <= ${now}
          AND NOT (delivery.endpoint_id = ANY(${busyEndpoints}::text[]))
          AND NOT (endpoint.merchant_id = ANY(${busyMerchants}::text[]))
        ORDER BY delivery.next_attempt_at LIMIT ${limit * perEndpoint}
      ), ranked AS (
        -- Each endpoint and merchant gets the slots it has free: its cap minus its attempts in flight.
        SELECT candidates.id,
          row_number() OVER (PARTITION BY candidates.endpoint_id
            ORDER BY candidates.next_attempt_at, candidates.id) + COALESCE(endpoint_flight.count, 0) AS endpoint_rank,
          row_number() OVER (PARTITION BY candidates.merchant_id
            ORDER BY candidates.next_attempt_at, candidates.id) + COALESCE(merchant_flight.count, 0) AS merchant_rank
        FROM candidates
        LEFT JOIN unnest(${endpoints.map(([id]) => id)}::text[], ${endpoints.map(([, count]) => count)}::int[])
          AS endpoint_flight(endpoint_id, count) ON endpoint_flight.endpoint_id = candidates.endpoint_id
        LEFT JOIN unnest(${merchants.map(([id]) => id)}::text[], ${merchants.map(([, count]) => count)}::int[])
          AS merchant_flight(merchant_id, count) ON merchant_flight.merchant_id = candidates.merchant_id
      ), due AS (
        -- Round-robin over merchants: lowest merchant rank first (in flight included), then age.
        SELECT delivery.id FROM webhook_deliveries delivery JOIN ranked ON ranked.id = delivery.id
        WHERE ranked.endpoint_rank <= ${perEndpoint} AND ranked.merchant_rank <= ${perMerchant}
          AND delivery.status = 'pending' AND delivery.next_attempt_at <= ${now}
        ORDER BY ranked.merchant_rank, delivery.next_attempt_at LIMIT ${limit}
        FOR UPDATE OF delivery SKIP LOCKED
      )
      UPDATE webhook_deliveries SET next_attempt_at = ${leaseUntil(deps)}, updated_at = now()
      FROM due, webhook_endpoints endpoint
      WHERE webhook_deliveries.id = due.id AND endpoint.id = webhook_deliveries.endpoint_id
      RETURNING webhook_deliveries.id, webhook_deliveries.endpoint_id, endpoint.merchant_id`;
  }

  function start(delivery: ClaimedDelivery, loaded: LoadedWebhookDelivery | undefined) {
    countIn(perEndpointInFlight, delivery.endpoint_id, 1);
    countIn(perMerchantInFlight, delivery.merchant_id, 1);
    const attempt: Promise<void> = (
      loaded
        ? deliverLoadedWebhook(deps, loaded)
        : Promise.reject(new Error(`webhook delivery ${delivery.id} not found`))
    )
      .then((outcome) => options.onAttempt?.(outcome))
      .catch((error: unknown) =>
        // The lease expires and the delivery is attempted again: at-least-once, not lost.
        deps.logger.error("webhook attempt failed to run", { deliveryId: delivery.id, error }),
      )
      .finally(() => {
        running.delete(attempt);
        countIn(perEndpointInFlight, delivery.endpoint_id, -1);
        countIn(perMerchantInFlight, delivery.merchant_id, -1);
        if (refill)
          claimAndStart().catch((error: unknown) =>
            deps.logger.warn("webhook refill claim failed; the next tick retries", { error }),
          );
      });
    running.add(attempt);
  }

  /** One claim at a time; a request arriving meanwhile makes it claim once more when done. */
  function claimAndStart(): Promise<number> {
    if (claiming !== undefined) {
      claimAgain = true;
      return claiming;
    }
    claiming = (async () => {
      let started = 0;
      do {
        claimAgain = false;
        const capacity = concurrency - running.size;
        if (capacity <= 0) break;
        const claimed = await claim(capacity);
        // One query loads the whole claimed batch; a failure leaves the leases to expire (retried).
        const loaded = new Map(
          (
            await loadWebhookDeliveries(
              deps,
              claimed.map((delivery) => delivery.id),
            )
          ).map((row) => [row.deliveryId, row]),
        );
        for (const delivery of claimed) start(delivery, loaded.get(delivery.id));
        started += claimed.length;
        // Idle (nothing claimed, no endpoint at its cap) until the next tick; otherwise every
        // finished attempt claims again, so the endpoint's free slot is refilled at once.
        refill = refill && (claimed.length > 0 || perEndpointInFlight.size > 0);
      } while (claimAgain && refill);
      return started;
    })().finally(() => {
      claiming = undefined;
    });
    return claiming;
  }

  return {
    tick() {
      refill = true;
      return claimAndStart();
    },
    async drain() {
      refill = false;
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    get inFlight() {
      return running.size;
    },
  };
}

const sharedDispatchers = new WeakMap<Db, WebhookDispatcher>();

/** The process-wide dispatcher of the embedded runner's webhook job, one per database client. */
export function sharedWebhookDispatcher(db: Db, logger: Logger): WebhookDispatcher {
  let dispatcher = sharedDispatchers.get(db);
  if (!dispatcher) {
    dispatcher = createWebhookDispatcher(webhookDeps(db, logger), {
      perMerchant: env().WEBHOOK_CONCURRENCY_PER_MERCHANT,
    });
    sharedDispatchers.set(db, dispatcher);
  }
  return dispatcher;
}
