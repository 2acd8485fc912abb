// Live status of the hosted checkout: a small poll of GET /api/checkout/{id}. The checkout page uses
// this instead of TanStack Query (and parses no zod schema in the browser) to keep its first-load
// JavaScript under budget; see BENCHMARKS.md "Checkout page JavaScript". It keeps the behaviour the
// page had with TanStack Query: one poll every 2 s (15 s once expired, none once final), paused
// while the tab is hidden and resumed when it shows again, three quick retries (1 s, 2 s, 4 s) before
// the page says live status is unavailable, and no retry of a 404. Client-safe.
import type { TCheckoutObject } from "./checkout-object";
import { isFinalCheckoutStatus, type TCheckoutStatus } from "./checkout-status";

export const CHECKOUT_POLL_MS = 2_000;
/** An expired payment can still receive a late transfer; it is polled, just less often. */
export const EXPIRED_POLL_MS = 15_000;
/** Failed polls retried quickly before the page says live status is unavailable. */
export const CHECKOUT_POLL_RETRIES = 3;

export class CheckoutFetchError extends Error {
  override name = "CheckoutFetchError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The checkout's current projection from our own origin. The server builds it with the serializer
 * that is checked against `ZCheckoutObject` (tests and the e2e status-endpoint test parse it); here
 * only its identity is checked, so an answer for something else is never shown.
 */
export async function fetchCheckout(id: string, signal?: AbortSignal): Promise<TCheckoutObject> {
  const response = await fetch(`/api/checkout/${encodeURIComponent(id)}`, {
    signal,
    cache: "no-store",
    headers: { accept: "application/json" },
  });
  if (!response.ok)
    throw new CheckoutFetchError(response.status, `status endpoint answered ${response.status}`);
  const body: unknown = await response.json();
  if (!isCheckoutAnswer(body, id))
    throw new CheckoutFetchError(response.status, "status endpoint answered something else");
  return body;
}

function isCheckoutAnswer(body: unknown, id: string): body is TCheckoutObject {
  if (typeof body !== "object" || body === null) return false;
  const { object, id: answerId, status } = body as Record<string, unknown>;
  return object === "checkout" && answerId === id && typeof status === "string";
}

/** Delay before the next poll after an answer with this status; null once the outcome is final. */
export function pollDelay(status: TCheckoutStatus): number | null {
  if (isFinalCheckoutStatus(status)) return null;
  return status === "expired" ? EXPIRED_POLL_MS : CHECKOUT_POLL_MS;
}

/**
 * After `failures` failed polls in a row: when to try again (null: never, the payment is unknown)
 * and whether the page should say that live status is unavailable.
 */
export function retryAfterFailure(
  error: unknown,
  failures: number,
  status: TCheckoutStatus,
): { delay: number | null; unavailable: boolean } {
  if (error instanceof CheckoutFetchError && error.status === 404) return { delay: null, unavailable: true };
  if (failures <= CHECKOUT_POLL_RETRIES) return { delay: 1_000 * 2 ** (failures - 1), unavailable: false };
  return { delay: pollDelay(status) ?? CHECKOUT_POLL_MS, unavailable: true };
}

export type CheckoutPollState = {
  checkout: TCheckoutObject;
  /** When the last answer arrived (ms since the epoch): the countdown's clock correction uses it. */
  updatedAt: number;
  /** The last polls failed: the page says so and keeps showing the last answer. */
  unavailable: boolean;
};

export type CheckoutPoll = {
  stop(): void;
  /** Polls now if a poll is due or was skipped while hidden (the tab shows again, the network is back). */
  wake(): void;
};

/** Starts polling one interval after `initial` (the server-rendered projection, fresh on first paint). */
export function startCheckoutPoll({
  initial,
  load,
  onChange,
  hidden = () => false,
  now = Date.now,
}: {
  initial: TCheckoutObject;
  load: (signal: AbortSignal) => Promise<TCheckoutObject>;
  onChange: (state: CheckoutPollState) => void;
  hidden?: () => boolean;
  now?: () => number;
}): CheckoutPoll {
  let state: CheckoutPollState = { checkout: initial, updatedAt: now(), unavailable: false };
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  let skipped = false;
  let stopped = false;

  const update = (next: CheckoutPollState) => {
    state = next;
    onChange(next);
  };
  const schedule = (delay: number | null) => {
    clearTimeout(timer);
    timer = delay === null ? undefined : setTimeout(() => void poll(), delay);
  };
  const poll = async () => {
    timer = undefined;
    if (stopped || inFlight) return;
    if (hidden()) {
      skipped = true;
      return;
    }
    skipped = false;
    const controller = new AbortController();
    inFlight = controller;
    try {
      const checkout = await load(controller.signal);
      if (stopped) return;
      failures = 0;
      update({ checkout, updatedAt: now(), unavailable: false });
      schedule(pollDelay(checkout.status));
    } catch (error) {
      if (stopped) return;
      failures += 1;
      const next = retryAfterFailure(error, failures, state.checkout.status);
      if (next.unavailable !== state.unavailable) update({ ...state, unavailable: next.unavailable });
      schedule(next.delay);
    } finally {
      if (inFlight === controller) inFlight = undefined;
    }
  };

  schedule(pollDelay(initial.status));
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      inFlight?.abort();
    },
    wake() {
      if (stopped || inFlight || (timer === undefined && !skipped)) return;
      clearTimeout(timer);
      void poll();
    },
  };
}
