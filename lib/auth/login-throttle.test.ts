import { describe, expect, it } from "vitest";
import { LoginThrottle } from "./login-throttle";

describe("LoginThrottle", () => {
  it("locks a key after maxFailures within the window, until the oldest failure leaves it", () => {
    const throttle = new LoginThrottle(3, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterMs("a@x|1.2.3.4", t0 + i)).toBe(0);
      throttle.recordFailure("a@x|1.2.3.4", t0 + i);
    }
    expect(throttle.retryAfterMs("a@x|1.2.3.4", t0 + 10)).toBe(60_000 - 10);
    expect(throttle.retryAfterMs("other@x|1.2.3.4", t0 + 10)).toBe(0);
    expect(throttle.retryAfterMs("a@x|1.2.3.4", t0 + 60_001)).toBe(0);
  });

  it("is cleared by a successful sign-in", () => {
    const throttle = new LoginThrottle(2, 60_000);
    throttle.recordFailure("k", 0);
    throttle.recordFailure("k", 1);
    expect(throttle.retryAfterMs("k", 2)).toBeGreaterThan(0);
    throttle.reset("k");
    expect(throttle.retryAfterMs("k", 3)).toBe(0);
  });

  it("counts only failures inside the sliding window", () => {
    const throttle = new LoginThrottle(2, 1_000);
    throttle.recordFailure("k", 0);
    throttle.recordFailure("k", 1_500);
    expect(throttle.retryAfterMs("k", 1_600)).toBe(0);
    throttle.recordFailure("k", 1_700);
    expect(throttle.retryAfterMs("k", 1_800)).toBe(700);
  });
});

describe("LoginThrottle memory bound", () => {
  it("keeps a locked key locked when the map is filled past its bound", () => {
    const throttle = new LoginThrottle(3, 60_000);
    for (let i = 0; i < 3; i++) throttle.recordFailure("owner@x|1.2.3.4", i);
    expect(throttle.retryAfterMs("owner@x|1.2.3.4", 10)).toBeGreaterThan(0);
    for (let i = 0; i < 100_050; i++) throttle.recordFailure(`junk-${i}@x|1.2.3.4`, 20);
    expect(throttle.retryAfterMs("owner@x|1.2.3.4", 30)).toBeGreaterThan(0);
  });
});
