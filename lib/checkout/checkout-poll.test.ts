import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TCheckoutObject } from "./checkout-object";
import {
  CHECKOUT_POLL_MS,
  CheckoutFetchError,
  type CheckoutPollState,
  EXPIRED_POLL_MS,
  pollDelay,
  retryAfterFailure,
  startCheckoutPoll,
} from "./checkout-poll";

// The scheduling of the checkout's live status, on fake timers: `load` stands in for the request to
// our own status endpoint (the e2e checkout specs cover the real endpoint and page).
const checkout = (status: TCheckoutObject["status"]) => ({ id: "pay_1", status }) as TCheckoutObject;

describe("poll delays", () => {
  it("polls every 2 s, every 15 s once expired, never once final", () => {
    expect(pollDelay("pending")).toBe(CHECKOUT_POLL_MS);
    expect(pollDelay("detected")).toBe(CHECKOUT_POLL_MS);
    expect(pollDelay("expired")).toBe(EXPIRED_POLL_MS);
    for (const status of ["confirmed", "settled", "canceled"] as const) expect(pollDelay(status)).toBeNull();
  });

  it("retries three times quickly, then says live status is unavailable and keeps polling; a 404 stops", () => {
    const failure = new CheckoutFetchError(503, "down");
    expect([1, 2, 3, 4].map((n) => retryAfterFailure(failure, n, "pending"))).toEqual([
      { delay: 1_000, unavailable: false },
      { delay: 2_000, unavailable: false },
      { delay: 4_000, unavailable: false },
      { delay: CHECKOUT_POLL_MS, unavailable: true },
    ]);
    expect(retryAfterFailure(new TypeError("offline"), 4, "expired")).toEqual({
      delay: EXPIRED_POLL_MS,
      unavailable: true,
    });
    expect(retryAfterFailure(new CheckoutFetchError(404, "gone"), 1, "pending")).toEqual({
      delay: null,
      unavailable: true,
    });
  });
});

describe("startCheckoutPoll", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function harness(answers: Array<TCheckoutObject | Error>, initial = checkout("pending")) {
    const states: CheckoutPollState[] = [];
    let hidden = false;
    const load = vi.fn(async () => {
      const next = answers.shift() ?? new Error("no more answers");
      if (next instanceof Error) throw next;
      return next;
    });
    const poll = startCheckoutPoll({
      initial,
      load,
      onChange: (state) => states.push(state),
      hidden: () => hidden,
    });
    return {
      poll,
      load,
      states,
      setHidden: (value: boolean) => {
        hidden = value;
      },
    };
  }

  it("polls one interval after the first paint and stops at a final status", async () => {
    const { load, states } = harness([checkout("detected"), checkout("confirmed")]);
    await vi.advanceTimersByTimeAsync(CHECKOUT_POLL_MS - 1);
    expect(load).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(states.map((state) => state.checkout.status)).toEqual(["detected"]);
    await vi.advanceTimersByTimeAsync(CHECKOUT_POLL_MS);
    expect(states.map((state) => state.checkout.status)).toEqual(["detected", "confirmed"]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("keeps the last answer through failures, flags them after the retries and clears on success", async () => {
    const down = new CheckoutFetchError(503, "down");
    const { load, states } = harness([down, down, down, down, checkout("detected")]);
    await vi.advanceTimersByTimeAsync(CHECKOUT_POLL_MS + 1_000 + 2_000 + 4_000);
    expect(load).toHaveBeenCalledTimes(4);
    expect(states).toEqual([expect.objectContaining({ unavailable: true, checkout: checkout("pending") })]);
    await vi.advanceTimersByTimeAsync(CHECKOUT_POLL_MS);
    expect(states.at(-1)).toEqual(
      expect.objectContaining({ unavailable: false, checkout: checkout("detected") }),
    );
  });

  it("skips polls while the tab is hidden and polls at once when it shows again", async () => {
    const { poll, load, states, setHidden } = harness([checkout("detected")]);
    setHidden(true);
    await vi.advanceTimersByTimeAsync(CHECKOUT_POLL_MS * 5);
    expect(load).not.toHaveBeenCalled();
    setHidden(false);
    poll.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(states.map((state) => state.checkout.status)).toEqual(["detected"]);
  });

  it("never polls a payment that is final on first paint, and stop() ends polling", async () => {
    const final = harness([], checkout("settled"));
    final.poll.wake();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(final.load).not.toHaveBeenCalled();

    const stopped = harness([checkout("detected")]);
    stopped.poll.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stopped.load).not.toHaveBeenCalled();
  });
});
