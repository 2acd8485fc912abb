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
  /** Called after each attempt (tests and the benchmark observe through it). */
  onAttempt?: (outcome: DeliveryOutcome) => void;
};

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
 * taking the slots of healthy ones.
 */
export function createWebhookDispatcher(
  deps: WebhookDeps,
  options: WebhookDispatcherOptions = {},
): WebhookDispatcher {
  const concurrency = options.concurrency ?? 64;
  const perEndpoint = options.perEndpoint ?? 16;
  const running = new Set<Promise<void>>();
  const perEndpointInFlight = new Map<string, number>();
  // Refilling: when an attempt finishes and the last claim found work, claim again at once instead
  // of waiting for the next tick, so throughput is bounded by the receivers, not the tick interval.
  let claiming: Promise<number> | undefined;
  let claimAgain = false;
  let refill = false;

  async function claim(limit: number): Promise<{ id: string; endpoint_id: string }[]> {
    const now = deps.now?.() ?? new Date();
    const inFlight = [...perEndpointInFlight];
    const busy = inFlight.filter(([, count]) => count >= perEndpoint).map(([id]) => id);
    return deps.db.$queryRaw<{ id: string; endpoint_id: string }[]>`
      WITH candidates AS (
        -- The oldest due deliveries only (index on status, next_attempt_at): a claim costs the same
        -- with 10 or 100,000 deliveries waiting.
        SELECT id, endpoint_id, next_attempt_at FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= ${now} AND NOT (endpoint_id = ANY(${busy}::text[]))
        ORDER BY next_attempt_at LIMIT ${limit * perEndpoint}
      ), ranked AS (
        -- Each endpoint gets the slots it has free: perEndpoint minus its attempts in flight.
        SELECT candidates.id, row_number() OVER (PARTITION BY candidates.endpoint_id
            ORDER BY candidates.next_attempt_at, candidates.id) + COALESCE(flight.count, 0) AS rank
        FROM candidates
        LEFT JOIN unnest(${inFlight.map(([id]) => id)}::text[], ${inFlight.map(([, count]) => count)}::int[])
          AS flight(endpoint_id, count) ON flight.endpoint_id = candidates.endpoint_id
      ), due AS (
        SELECT delivery.id FROM webhook_deliveries delivery JOIN ranked ON ranked.id = delivery.id
        WHERE ranked.rank <= ${perEndpoint} AND delivery.status = 'pending' AND delivery.next_attempt_at <= ${now}
        ORDER BY delivery.next_attempt_at LIMIT ${limit}
        FOR UPDATE OF delivery SKIP LOCKED
      )
      UPDATE webhook_deliveries SET next_attempt_at = ${leaseUntil(deps)}, updated_at = now()
      FROM due WHERE webhook_deliveries.id = due.id
      RETURNING webhook_deliveries.id, webhook_deliveries.endpoint_id`;
  }

  function start(delivery: { id: string; endpoint_id: string }, loaded: LoadedWebhookDelivery | undefined) {
    perEndpointInFlight.set(delivery.endpoint_id, (perEndpointInFlight.get(delivery.endpoint_id) ?? 0) + 1);
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
        const left = (perEndpointInFlight.get(delivery.endpoint_id) ?? 1) - 1;
        if (left <= 0) perEndpointInFlight.delete(delivery.endpoint_id);
        else perEndpointInFlight.set(delivery.endpoint_id, left);
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
    dispatcher = createWebhookDispatcher(webhookDeps(db, logger));
    sharedDispatchers.set(db, dispatcher);
  }
  return dispatcher;
}
