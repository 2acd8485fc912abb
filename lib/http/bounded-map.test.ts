import { describe, expect, it } from "vitest";
import { BoundedMap } from "./bounded-map";

describe("BoundedMap", () => {
  it("never holds more than its bound and drops the oldest unprotected entry first", () => {
    const map = new BoundedMap<string, number>(3);
    const keep = (value: number) => value < 0;
    map.set("locked", -1, keep);
    map.set("a", 1, keep);
    map.set("b", 2, keep);
    map.set("c", 3, keep);
    expect(map.size).toBe(3);
    expect(map.get("locked")).toBe(-1);
    expect(map.get("a")).toBeUndefined();
    map.get("b");
    map.set("d", 4);
    expect(map.get("c")).toBeUndefined();
    expect(map.get("b")).toBe(2);
  });
});
