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
