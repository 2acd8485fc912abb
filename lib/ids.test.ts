import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base62, isId, newId } from "./ids";

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

  it("spells the 128 bits in base 62 exactly as BigInt division does", () => {
    const bigintBase62 = (bytes: Uint8Array) => {
      let value = BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
      let body = "";
      for (let i = 0; i < 22; i++) {
        body = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[Number(value % 62n)] + body;
        value /= 62n;
      }
      return body;
    };
    const edges = [
      Buffer.alloc(16, 0),
      Buffer.alloc(16, 0xff),
      Buffer.from("00000000000000000000000000000001", "hex"),
    ];
    for (const bytes of [...edges, ...Array.from({ length: 2_000 }, () => randomBytes(16))])
      expect(base62(bytes)).toBe(bigintBase62(bytes));
    expect(base62(Buffer.alloc(16, 0))).toBe("0".repeat(22));
  });
});
