import { z } from "zod";
import { type AccessDeps, type Actor, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { perClient } from "../db/per-client";
import { rawPool } from "../db/raw-pool";
import { queryRaw, sql } from "../db/raw-sql";
import { StatementBatcher } from "../db/statement-batcher";
import { AppError } from "../errors";
import { newId } from "../ids";
import { parseAmount } from "../money/amounts";
import { ATTR_PAYMENT_ID } from "../observability/attributes";
import { activeTraceParent, setSpanAttribute } from "../observability/tracing";
import { zText } from "../validation/text";
import { deriveDepositAddresses } from "../wallet/address-deriver";
import { type AllocatedDeposit, DepositAllocator } from "./deposit-allocator";
import {
  asCoinPayment,
  type PaymentRow,
  resolveToken,
  serializePayment,
  type TCoinPaymentObject,
  type TPaymentObject,
} from "./payment-object";

export type { AllocatedDeposit };

const ZMetadataValue = z.union([zText().max(500), z.number(), z.boolean(), z.null()]);
/** Stripe-style metadata: a flat object of at most 50 keys, short keys and values. */
export const ZMetadata = z
  .record(zText().min(1).max(40), ZMetadataValue)
  .refine((value) => Object.keys(value).length <= 50, "at most 50 keys");

export const MIN_EXPIRES_IN = 60;
export const MAX_EXPIRES_IN = 7 * 24 * 60 * 60;

/** The fields both forms of `POST /api/v1/payments` share. */
export const CREATE_PAYMENT_COMMON = {
  expires_in: z.number().int().min(MIN_EXPIRES_IN).max(MAX_EXPIRES_IN).optional(),
  order_id: zText().min(1).max(200).nullish(),
  description: zText().max(1000).nullish(),
  metadata: ZMetadata.optional(),
  redirect_url: z
    .url({ protocol: /^https?$/, error: "must be an http or https URL" })
    .max(2048)
    .nullish(),
};

export const ZCreatePayment = z.strictObject({
  chain: z.string().min(1).max(32),
  token: z.string().min(1).max(16).nullish(),
  /** Decimal string in token units; numbers are refused so no float ever touches an amount. */
  amount: z.string({ error: 'must be a decimal string such as "12.5"' }).max(100),
  ...CREATE_PAYMENT_COMMON,
});
export type TCreatePayment = z.infer<typeof ZCreatePayment>;

export type CreatePaymentDeps = { db: Db; chains: TChain[]; baseUrl: string; now?: Date } & AccessDeps;

/**
 * Creates a payment with its own deposit address, derived from the merchant's xpub at an index
 * never handed out before (lib/payments/deposit-allocator.ts). One round trip on the hot path (the
 * index comes from the instance's reserved block), no interactive transaction: under a burst of
 * concurrent requests nothing waits on a held connection.
 */
export async function createPayment(
  deps: CreatePaymentDeps,
  merchantId: string,
  input: TCreatePayment,
): Promise<TCoinPaymentObject> {
  authorize(deps.actor, merchantId, "payments:write");
  const chain = deps.chains.find((candidate) => candidate.name === input.chain);
  if (!chain) {
    const message = `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`;
    throw new AppError("validation_failed", `chain: ${message}`, { errors: [{ path: "chain", message }] });
  }
  const token = resolveToken(chain, input.token);
  if (!token) {
    const symbols = [chain.nativeCurrency.symbol, ...chain.tokens.map((t) => t.symbol)].join(", ");
    const message = `unknown token on ${chain.name}; available: ${symbols}`;
    throw new AppError("validation_failed", `token: ${message}`, { errors: [{ path: "token", message }] });
  }
  const amount = parseAmount(input.amount, token.decimals);
  const now = deps.now ?? new Date();

  const allocated = await allocateDepositIndex(deps.db, merchantId);
  const row = newPaymentRow({ chain, token, amount, allocated, input, now });
  const payment = asCoinPayment(serializePayment(row, deps.baseUrl));

  await insertPayment(deps.db, {
    merchantId,
    allocated,
    row,
    object: payment,
    amount,
    now,
    actor: deps.actor,
    expiresIn: input.expires_in ?? null,
  });
  return payment;
}

type CommonInput = Pick<
  TCreatePayment,
  "expires_in" | "order_id" | "description" | "metadata" | "redirect_url"
>;

/** A new payment's row (pending, nothing received) for `chain`/`token` at `amount`. */
export function newPaymentRow(params: {
  chain: TChain;
  token: NonNullable<ReturnType<typeof resolveToken>>;
  amount: bigint;
  allocated: AllocatedDeposit;
  input: CommonInput;
  now: Date;
}) {
  const { chain, token, allocated, input, now } = params;
  const expiresIn = input.expires_in ?? allocated.default_expiry_seconds;
  return {
    id: newId("pay"),
    status: "pending" as const,
    exception: null,
    chain: chain.name,
    chainId: chain.chainId,
    tokenSymbol: token.symbol,
    tokenAddress: token.address,
    tokenDecimals: token.decimals,
    amount: { toFixed: () => params.amount.toString() },
    amountReceived: { toFixed: () => "0" },
    depositAddress: allocated.address,
    requiredConfirmations: chain.confirmations,
    confirmations: 0,
    expiresAt: new Date(now.getTime() + expiresIn * 1000),
    createdAt: now,
    detectedAt: null,
    confirmedAt: null,
    settledAt: null,
    orderId: input.order_id ?? null,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    redirectUrl: input.redirect_url ?? null,
    transfers: [],
    // A single-coin payment's coin is its own from the start (only a fiat-priced one waits).
    optionPaid: true,
  };
}

/**
 * A deposit index never handed out before, with the merchant's creation settings. On a client made
 * by createDb: from the instance's reserved block (no round trip most of the time; `fresh` reads
 * the settings now, otherwise they may be out of date: see DepositAllocator). On a transaction
 * client (a request with an Idempotency-Key): one index allocated inside that transaction, so a
 * rollback also returns it, with settings read now.
 */
export async function allocateDepositIndex(
  db: Db,
  merchantId: string,
  options: { fresh?: boolean } = {},
): Promise<AllocatedDeposit> {
  const pool = await rawPool(db);
  if (pool)
    return perClient(db, "depositAllocator", () => new DepositAllocator(pool)).allocate(merchantId, options);
  const [allocated] = await db.$queryRaw<Omit<AllocatedDeposit, "address">[]>`
    UPDATE merchants SET next_deposit_index = next_deposit_index + 1, updated_at = now()
    WHERE id = ${merchantId}
    RETURNING next_deposit_index - 1 AS index, hd_account, deposit_xpub, default_expiry_seconds,
      quote_ttl_seconds, underpayment_tolerance_bps`;
  if (!allocated) throw new AppError("not_found", "Merchant not found");
  const addressOf = deriveDepositAddresses(allocated.deposit_xpub, allocated.index, 1);
  return { ...allocated, address: await addressOf(allocated.index) };
}

/** What a fiat-priced payment stores beside the single-coin columns (its first option). */
export type FiatInsert = {
  priceAmount: bigint;
  currency: string;
  toleranceBps: number;
  options: {
    chain: string;
    chainId: number;
    tokenSymbol: string;
    tokenAddress: string | null;
    tokenDecimals: number;
    amount: bigint;
    rate: string;
    rateSource: string;
    quoteExpiresAt: Date;
  }[];
};

type InsertPaymentParams = {
  merchantId: string;
  allocated: AllocatedDeposit;
  /** The coin columns (a fiat-priced payment: its first option). */
  row: Pick<
    PaymentRow,
    "chain" | "chainId" | "tokenSymbol" | "tokenAddress" | "tokenDecimals" | "requiredConfirmations"
  >;
  object: TPaymentObject;
  amount: bigint;
  now: Date;
  fiat?: FiatInsert;
  actor: Actor;
  /** The request's `expires_in`; null = the merchant's default expiry, read by the statement. */
  expiresIn: number | null;
};

/** One payment of an insert statement: its columns, and the ids of its timeline entry and event. */
type PaymentInsert = InsertPaymentParams & {
  statusChangeId: string;
  eventId: string;
  traceParent: string | null;
};

/** The most payments one insert statement writes (a turn's creates beyond it take a second one). */
const MAX_INSERT_BATCH = 64;

/**
 * The payment, its options (fiat-priced), its first timeline entry and the payment.created event
 * (outbox) in one atomic statement: one round trip and no interactive transaction holding a pooled
 * connection. On the pool, the creates of one turn of the event loop share that statement (group
 * commit: lib/db/statement-batcher.ts); on a transaction client (an Idempotency-Key) it writes this
 * one payment. The scanner's start block is the chain's head read by the same statement. When an API
 * key creates, the statement also checks that the key is still unrevoked (the key cache may be a
 * few milliseconds behind a revocation): nothing is written for it otherwise, and the answer is a
 * 401.
 */
export async function insertPayment(db: Db, params: InsertPaymentParams): Promise<void> {
  const { object: payment } = params;
  setSpanAttribute(ATTR_PAYMENT_ID, payment.id);
  const insert: PaymentInsert = {
    ...params,
    statusChangeId: newId("psc"),
    eventId: newId("evt"),
    traceParent: activeTraceParent(),
  };
  const expiresAt = (await rawPool(db))
    ? await paymentInsertsOf(db).submit(insert)
    : (await insertPayments(db)([insert]))[0];
  if (!expiresAt)
    throw new AppError("unauthorized", "Invalid or revoked API key", {
      headers: { "www-authenticate": 'Bearer realm="api", error="invalid_token"' },
    });
  // The merchant's default expiry as of this statement (a cached one may be out of date).
  payment.expires_at = expiresAt;
}

/** The pool's batcher of payment inserts (one per client made by createDb). */
function paymentInsertsOf(db: Db) {
  return perClient(
    db,
    "paymentInserts",
    () =>
      new StatementBatcher(insertPayments(db), { maxBatch: MAX_INSERT_BATCH, name: "batch insert payments" }),
  );
}

/** The statement writing `inserts`: each one's expiry as stored, or null where its key was revoked. */
function insertPayments(db: Db) {
  return async (inserts: PaymentInsert[]): Promise<(string | null)[]> => {
    const column = <T>(pick: (insert: PaymentInsert) => T) => inserts.map(pick);
    const options = inserts.flatMap((insert) =>
      (insert.fiat?.options ?? []).map((option, position) => ({
        ...option,
        position,
        paymentId: insert.object.id,
      })),
    );
    const option = <T>(pick: (o: (typeof options)[number]) => T) => options.map(pick);
    const rows = await queryRaw<{ id: string; expires_at: string }>(
      db,
      sql`
    WITH input AS (
      SELECT * FROM unnest(${column((i) => i.object.id)}::text[], ${column((i) => i.merchantId)}::text[],
        ${column((i) => i.row.chain)}::text[], ${column((i) => i.row.chainId)}::int[],
        ${column((i) => i.row.tokenSymbol)}::text[], ${column((i) => i.row.tokenAddress)}::text[],
        ${column((i) => i.row.tokenDecimals)}::int[], ${column((i) => i.amount.toString())}::numeric[],
        ${column((i) => i.object.address)}::text[], ${column((i) => i.allocated.hd_account)}::int[],
        ${column((i) => i.allocated.index)}::int[], ${column((i) => i.row.requiredConfirmations)}::int[],
        ${column((i) => i.object.order_id)}::text[], ${column((i) => i.object.description)}::text[],
        ${column((i) => JSON.stringify(i.object.metadata))}::text[], ${column((i) => i.object.redirect_url)}::text[],
        ${column((i) => i.expiresIn)}::int[], ${column((i) => i.now.toISOString())}::timestamptz[],
        ${column((i) => i.fiat?.priceAmount.toString() ?? null)}::numeric[], ${column((i) => i.fiat?.currency ?? null)}::text[],
        ${column((i) => i.fiat?.toleranceBps ?? null)}::int[],
        ${column((i) => (i.actor.type === "api_key" ? i.actor.apiKeyId : null))}::text[],
        ${column((i) => i.statusChangeId)}::text[], ${column((i) => i.eventId)}::text[],
        ${column((i) => JSON.stringify(i.object))}::text[], ${column((i) => i.traceParent)}::text[])
      AS i(id, merchant_id, chain, chain_id, token_symbol, token_address, token_decimals, amount, deposit_address,
        derivation_account, derivation_index, required_confirmations, order_id, description, metadata, redirect_url,
        expires_in, now, price_amount, price_currency, underpayment_tolerance_bps, api_key_id, status_change_id,
        event_id, data, trace_parent)
    ), payment AS (
      INSERT INTO payments (id, merchant_id, status, chain, chain_id, token_symbol, token_address, token_decimals,
        amount, deposit_address, derivation_account, derivation_index, required_confirmations, start_block,
        order_id, description, metadata, redirect_url, expires_at, created_at, updated_at,
        price_amount, price_currency, underpayment_tolerance_bps, value_received)
      SELECT i.id, i.merchant_id, 'pending', i.chain, i.chain_id, i.token_symbol, i.token_address, i.token_decimals,
        i.amount, i.deposit_address, i.derivation_account, i.derivation_index, i.required_confirmations,
        (SELECT head_block FROM chain_cursors WHERE chain = i.chain),
        i.order_id, i.description, i.metadata::jsonb, i.redirect_url,
        i.now + make_interval(secs => coalesce(i.expires_in,
          (SELECT default_expiry_seconds FROM merchants WHERE id = i.merchant_id))),
        i.now, i.now, i.price_amount, i.price_currency, i.underpayment_tolerance_bps,
        CASE WHEN i.price_amount IS NULL THEN NULL ELSE 0 END
      FROM input i
      WHERE i.api_key_id IS NULL OR EXISTS (SELECT 1 FROM api_keys WHERE id = i.api_key_id AND revoked_at IS NULL)
      RETURNING id, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at
    ), options AS (
      INSERT INTO payment_options (payment_id, position, chain, chain_id, token_symbol, token_address, token_decimals,
        amount, rate, rate_source, quote_expires_at)
      SELECT o.payment_id, o.position, o.chain, o.chain_id, o.token_symbol, o.token_address, o.token_decimals, o.amount,
        o.rate, o.rate_source, o.quote_expires_at
      FROM unnest(${option((o) => o.paymentId)}::text[], ${option((o) => o.position)}::int[],
        ${option((o) => o.chain)}::text[], ${option((o) => o.chainId)}::int[], ${option((o) => o.tokenSymbol)}::text[],
        ${option((o) => o.tokenAddress)}::text[], ${option((o) => o.tokenDecimals)}::int[],
        ${option((o) => o.amount.toString())}::numeric[], ${option((o) => o.rate)}::text[],
        ${option((o) => o.rateSource)}::text[], ${option((o) => o.quoteExpiresAt.toISOString())}::timestamptz[])
        AS o(payment_id, position, chain, chain_id, token_symbol, token_address, token_decimals, amount, rate,
          rate_source, quote_expires_at)
      JOIN payment p ON p.id = o.payment_id
    ), status_change AS (
      INSERT INTO payment_status_changes (id, payment_id, from_status, to_status, reason, created_at)
      SELECT i.status_change_id, p.id, NULL, 'pending', 'created', i.now FROM payment p JOIN input i ON i.id = p.id
    )
    INSERT INTO events (id, merchant_id, type, object_id, data, created_at, trace_parent)
    SELECT i.event_id, i.merchant_id, 'payment.created', p.id,
      jsonb_set(i.data::jsonb, '{expires_at}', to_jsonb(p.expires_at)), i.now, i.trace_parent
    FROM payment p JOIN input i ON i.id = p.id
    RETURNING object_id AS id, data->>'expires_at' AS expires_at`,
    );
    const expiry = new Map(rows.map((row) => [row.id, row.expires_at]));
    return inserts.map((insert) => expiry.get(insert.object.id) ?? null);
  };
}
