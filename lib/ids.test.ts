import { describe, expect, it } from "vitest";
import { isId, newId } from "./ids";

describe("newId", () => {
  it("is prefixed, fixed-length and recognised", () => {
    const id = newId("pay");
    expect(id).toMatch(/^pay_[0-9A-Za-z]{22}$/);
    expect(isId(id, "pay")).toBe(true);
    expect(isId(id, "po")).toBe(false);
    expect(isId(`${id}x`, "pay")).toBe(false);
  });

  it("does not repeat or run in sequence", () => {
    const ids = Array.from({ length: 10_000 }, () => newId("evt"));
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).not.toEqual(ids);
  });
});
