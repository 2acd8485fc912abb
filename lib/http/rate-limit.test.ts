import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit";

describe("RateLimiter", () => {
  it("allows a burst, then asks to retry after the refill time, per key", () => {
    const limiter = new RateLimiter(2, 3);
    const t = 1_000_000;
    expect([limiter.take("a", t), limiter.take("a", t), limiter.take("a", t)]).toEqual([0, 0, 0]);
    expect(limiter.take("a", t)).toBe(1);
    expect(limiter.take("b", t)).toBe(0);
    expect(limiter.take("a", t + 500)).toBe(0);
    expect(limiter.take("a", t + 500)).toBe(1);
  });
});

describe("RateLimiter memory bound", () => {
  it("keeps a throttled client throttled when someone fills the map with fresh keys", () => {
    const limiter = new RateLimiter(1, 2);
    const t = 1_000_000;
    limiter.take("victim-of-abuse", t);
    limiter.take("victim-of-abuse", t);
    expect(limiter.take("victim-of-abuse", t)).toBeGreaterThan(0);
    for (let i = 0; i < 100_050; i++) limiter.take(`spoofed-${i}`, t);
    expect(limiter.take("victim-of-abuse", t)).toBeGreaterThan(0);
  });
});
