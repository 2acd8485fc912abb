import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { deleteExpiredIdempotencyKeys } from "./delete-expired-idempotency-keys";
import { canonicalJson, IDEMPOTENCY_TTL_MS, withIdempotency } from "./with-idempotency";

let database: TestDatabase;
let merchantId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  ({ merchantId } = await createMerchant(database.db, {
    name: "Idem",
    email: "idem@example.com",
    password: "pw",
  }));
});
afterAll(() => database.drop());

const request = (key: string, body: unknown, now?: Date) => ({
  merchantId,
  key,
  method: "POST",
  path: "/api/v1/payments",
  body,
  now,
});

describe("withIdempotency", () => {
  it("canonical JSON ignores key order and spacing", () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
  });

  it("runs once and replays; a different body is a conflict", async () => {
    let runs = 0;
    const execute = async () => ({ status: 201, body: { run: ++runs } });
    expect(await withIdempotency(database.db, request("a", { x: 1 }), execute)).toEqual({
      status: 201,
      body: { run: 1 },
      replayed: false,
    });
    expect(await withIdempotency(database.db, request("a", { x: 1 }), execute)).toEqual({
      status: 201,
      body: { run: 1 },
      replayed: true,
    });
    await expect(withIdempotency(database.db, request("a", { x: 2 }), execute)).rejects.toMatchObject({
      code: "idempotency_conflict",
    });
    expect(runs).toBe(1);
  });

  it("releases the key when the first attempt fails unexpectedly", async () => {
    await expect(
      withIdempotency(database.db, request("b", {}), async () => {
        throw new Error("database restarted");
      }),
    ).rejects.toThrow("database restarted");
    const retried = await withIdempotency(database.db, request("b", {}), async () => ({
      status: 201,
      body: { ok: true },
    }));
    expect(retried.replayed).toBe(false);
  });

  it("makes concurrent duplicates wait for the first answer", async () => {
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { status: 201, body: { id: "pay_1" } };
    };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => withIdempotency(database.db, request("c", { n: 1 }), slow)),
    );
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o.replayed)).toHaveLength(9);
    expect(new Set(outcomes.map((o) => JSON.stringify(o.body))).size).toBe(1);
  });

  it("forgets keys after 24 h", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    await withIdempotency(database.db, request("d", {}, t0), async () => ({
      status: 201,
      body: { first: true },
    }));
    const later = new Date(t0.getTime() + IDEMPOTENCY_TTL_MS + 1);
    expect(await deleteExpiredIdempotencyKeys(database.db, later)).toBeGreaterThanOrEqual(1);
    const again = await withIdempotency(database.db, request("d", { other: 1 }, later), async () => ({
      status: 201,
      body: {},
    }));
    expect(again.replayed).toBe(false);
  });

  it("AppError stays an AppError", () => {
    expect(new AppError("conflict", "x").status).toBe(409);
  });
});
