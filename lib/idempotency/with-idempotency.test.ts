import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tx } from "../db/client";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { deleteExpiredIdempotencyKeys } from "./delete-expired-idempotency-keys";
import {
  ABANDONED_CLAIM_MS,
  canonicalJson,
  IDEMPOTENCY_TTL_MS,
  withIdempotency,
  withIdempotencyInTransaction,
} from "./with-idempotency";

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

  it("takes over a claim abandoned mid-request (database restarted before it was released)", async () => {
    // Regression (database restart scenario): the first attempt claimed the key, then the database
    // went down, so neither its response nor the release of its claim was written. Every retry was
    // answered 409 "still being processed" until the key expired 24 h later.
    const claim = { key: "e", method: "POST", path: "/api/v1/payments", responseStatus: null };
    const hashOf = async (body: unknown) => {
      await withIdempotency(database.db, request("probe-e", body), async () => ({ status: 201, body: {} }));
      const probe = await database.db.idempotencyKey.findUniqueOrThrow({
        where: { merchantId_key: { merchantId, key: "probe-e" } },
      });
      await database.db.idempotencyKey.delete({ where: { merchantId_key: { merchantId, key: "probe-e" } } });
      return probe.requestHash;
    };
    await database.db.idempotencyKey.create({
      data: {
        ...claim,
        merchantId,
        requestHash: await hashOf({ amount: "1" }),
        createdAt: new Date(Date.now() - ABANDONED_CLAIM_MS - 1_000),
        expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS),
      },
    });
    // Another body under the abandoned key is still a conflict, and runs nothing.
    await expect(
      withIdempotency(database.db, request("e", { amount: "2" }), async () => ({ status: 201, body: {} })),
    ).rejects.toMatchObject({ code: "idempotency_conflict" });
    let runs = 0;
    const retry = () =>
      withIdempotency(database.db, request("e", { amount: "1" }), async () => ({
        status: 201,
        body: { run: ++runs },
      }));
    const outcomes = await Promise.all([retry(), retry(), retry()]);
    expect(runs).toBe(1);
    expect(outcomes.map((outcome) => outcome.body)).toEqual([{ run: 1 }, { run: 1 }, { run: 1 }]);
    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
  });

  it("in a transaction: the writes and the stored response commit together or not at all", async () => {
    // Regression (database restart scenario, 20 s outage): a payment committed, then the database
    // went down before its response was stored; the retry with the same key created it again.
    const rename = (tx: Tx, name: string) =>
      tx.merchant.update({ where: { id: merchantId }, data: { name } });
    const nameNow = async () =>
      (await database.db.merchant.findUniqueOrThrow({ where: { id: merchantId } })).name;
    // Storing the response fails (here its row is gone, as if the database dropped the connection
    // at that moment): the write made before it is rolled back too.
    await expect(
      withIdempotencyInTransaction(database.db, request("f", {}), async (tx) => {
        await rename(tx, "written, response lost");
        await tx.idempotencyKey.deleteMany({ where: { merchantId, key: "f" } });
        return { status: 201, body: { lost: true } };
      }),
    ).rejects.toThrow();
    expect(await nameNow()).toBe("Idem");
    // The key is free: the retry runs; concurrent duplicates wait for it and replay its answer.
    let runs = 0;
    const retry = () =>
      withIdempotencyInTransaction(database.db, request("f", {}), async (tx) => {
        runs += 1;
        await rename(tx, `renamed ${runs}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { status: 201, body: { run: runs } };
      });
    const outcomes = await Promise.all([retry(), retry(), retry()]);
    expect(runs).toBe(1);
    expect(outcomes.map((outcome) => outcome.body)).toEqual([{ run: 1 }, { run: 1 }, { run: 1 }]);
    expect(await nameNow()).toBe("renamed 1");
    await expect(
      withIdempotencyInTransaction(database.db, request("f", { other: 1 }), async () => ({
        status: 201,
        body: {},
      })),
    ).rejects.toMatchObject({ code: "idempotency_conflict" });
  });

  it("in a transaction: a service's own $transaction nests as a savepoint", async () => {
    // The payout and refund services open their own transaction (row locks, balance checks); under
    // atomicIdempotency it nests in the key's: committed with the response, rolled back with it.
    const nameNow = async () =>
      (await database.db.merchant.findUniqueOrThrow({ where: { id: merchantId } })).name;
    const renameInOwnTransaction = (tx: Tx, name: string) =>
      tx.$transaction((inner) => inner.merchant.update({ where: { id: merchantId }, data: { name } }));
    await expect(
      withIdempotencyInTransaction(database.db, request("n", {}), async (tx) => {
        await renameInOwnTransaction(tx, "nested, response lost");
        await tx.idempotencyKey.deleteMany({ where: { merchantId, key: "n" } });
        return { status: 201, body: {} };
      }),
    ).rejects.toThrow();
    const before = await nameNow();
    expect(before).not.toBe("nested, response lost");
    // A failure inside the nested transaction rolls back only its own writes.
    const outcome = await withIdempotencyInTransaction(database.db, request("n", {}), async (tx) => {
      await expect(
        tx.$transaction(async (inner) => {
          await inner.merchant.update({ where: { id: merchantId }, data: { name: "refused" } });
          throw new AppError("validation_failed", "refused");
        }),
      ).rejects.toThrow("refused");
      expect((await tx.merchant.findUniqueOrThrow({ where: { id: merchantId } })).name).toBe(before);
      await renameInOwnTransaction(tx, "nested");
      return { status: 201, body: { ok: true } };
    });
    expect(outcome).toEqual({ status: 201, body: { ok: true }, replayed: false });
    expect(await nameNow()).toBe("nested");
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
