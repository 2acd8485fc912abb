import { createHash } from "node:crypto";
import type { Db, Tx } from "../db/client";
import { AppError } from "../errors";

export type StoredResponse = { status: number; body: unknown };
export type IdempotentOutcome = StoredResponse & { replayed: boolean };

/** Keys are kept at least this long (Stripe keeps 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const WAIT_FOR_FIRST_MS = 10_000;
/**
 * A claim still without a response this long after it was made belongs to a request that can no
 * longer finish: longer than any request runs (transactions time out after 15 s), so its process
 * died, or the database went away before the claim could be released (a restart mid-request).
 * The next request with the key takes it over instead of being told "still processing" for 24 h.
 */
export const ABANDONED_CLAIM_MS = 30_000;

/** Stable JSON (sorted object keys) so the same body with other spacing or key order matches. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/**
 * Runs `execute` at most once per (merchant, Idempotency-Key). The key is claimed with an insert
 * that only one request can win; the winner's response (2xx or 4xx) is stored and replayed to every
 * later request with the same body. A different body with the same key is a 409. A concurrent
 * duplicate waits for the first to finish. If the first fails unexpectedly (5xx) the claim is
 * released so the client's retry can run; if even that release failed (the database went away) or
 * the process died, the claim is abandoned and the first retry after ABANDONED_CLAIM_MS runs.
 */
export async function withIdempotency(
  db: Db,
  params: IdempotentRequest,
  execute: () => Promise<StoredResponse>,
): Promise<IdempotentOutcome> {
  const now = params.now ?? new Date();
  const requestHash = requestHashOf(params);
  const where = { merchantId_key: { merchantId: params.merchantId, key: params.key } };

  const claimed = await claimKey(db, params, requestHash, now);

  if (claimed.count === 1 || (await takeOverAbandonedClaim(db, where, requestHash, now))) {
    let response: StoredResponse;
    try {
      response = await execute();
    } catch (error) {
      await db.idempotencyKey.delete({ where }).catch(() => undefined);
      throw error;
    }
    await db.idempotencyKey.update({
      where,
      data: { responseStatus: response.status, responseBody: response.body as object },
    });
    return { ...response, replayed: false };
  }

  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const stored = await db.idempotencyKey.findUnique({
      where,
      select: { requestHash: true, responseStatus: true, responseBody: true },
    });
    if (!stored) return withIdempotency(db, params, execute); // the first attempt failed and released the key
    if (stored.requestHash !== requestHash)
      throw new AppError(
        "idempotency_conflict",
        "This Idempotency-Key was already used with a different request; use a new key for a new request.",
      );
    if (stored.responseStatus !== null)
      return { status: stored.responseStatus, body: stored.responseBody, replayed: true };
    if (Date.now() > deadline)
      throw new AppError(
        "conflict",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type IdempotentRequest = {
  merchantId: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
  now?: Date;
};

/** Forgets the key if it expired, then claims it: `count` 1 when this request won the claim. */
async function claimKey(db: Db | Tx, params: IdempotentRequest, requestHash: string, now: Date) {
  await db.idempotencyKey.deleteMany({
    where: { merchantId: params.merchantId, key: params.key, expiresAt: { lt: now } },
  });
  return db.idempotencyKey.createMany({
    data: {
      merchantId: params.merchantId,
      key: params.key,
      method: params.method,
      path: params.path,
      requestHash,
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    },
    skipDuplicates: true,
  });
}

/** What "the same request" means: method, path and canonical body. */
function requestHashOf(params: IdempotentRequest): string {
  return createHash("sha256")
    .update(`${params.method} ${params.path}\n${canonicalJson(params.body ?? null)}`)
    .digest("hex");
}

/**
 * withIdempotency for requests whose writes go through `tx`: the claim, the request's writes and
 * its stored response are one transaction. A database failure anywhere rolls all of it back, so
 * the key is free for the retry and nothing was created; a concurrent duplicate's claim waits on
 * the first's uncommitted one, then replays its response (or runs, if the first rolled back).
 */
export async function withIdempotencyInTransaction(
  db: Db,
  params: IdempotentRequest,
  execute: (tx: Tx) => Promise<StoredResponse>,
): Promise<IdempotentOutcome> {
  const now = params.now ?? new Date();
  const requestHash = requestHashOf(params);
  const where = { merchantId_key: { merchantId: params.merchantId, key: params.key } };
  return db.$transaction(async (tx) => {
    const claimed = await claimKey(tx, params, requestHash, now);
    if (claimed.count === 1) {
      const response = await execute(tx);
      await tx.idempotencyKey.update({
        where,
        data: { responseStatus: response.status, responseBody: response.body as object },
      });
      return { ...response, replayed: false };
    }
    const stored = await tx.idempotencyKey.findUnique({
      where,
      select: { requestHash: true, responseStatus: true, responseBody: true },
    });
    if (stored && stored.requestHash !== requestHash)
      throw new AppError(
        "idempotency_conflict",
        "This Idempotency-Key was already used with a different request; use a new key for a new request.",
      );
    if (stored?.responseStatus != null)
      return { status: stored.responseStatus, body: stored.responseBody, replayed: true };
    throw new AppError(
      "conflict",
      "A request with this Idempotency-Key is still being processed; retry shortly.",
    );
  });
}

/**
 * Takes over an abandoned claim (see ABANDONED_CLAIM_MS) of the same request: one conditional
 * update, so of several retries arriving together exactly one wins. `created_at` is the claim time.
 */
async function takeOverAbandonedClaim(
  db: Db,
  where: { merchantId_key: { merchantId: string; key: string } },
  requestHash: string,
  now: Date,
): Promise<boolean> {
  const { count } = await db.idempotencyKey.updateMany({
    where: {
      ...where.merchantId_key,
      requestHash,
      responseStatus: null,
      createdAt: { lt: new Date(now.getTime() - ABANDONED_CLAIM_MS) },
    },
    data: { createdAt: now },
  });
  return count === 1;
}
