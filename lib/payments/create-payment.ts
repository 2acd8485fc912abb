import { z } from "zod";
import { type AccessDeps, type Actor, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { perClient } from "../db/per-client";
import { rawPool } from "../db/raw-pool";
import { queryRaw, sql } from "../db/raw-sql";
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

/**
 * The payment, its options (fiat-priced), its first timeline entry and the payment.created event
 * (outbox) in one atomic statement: one round trip and no interactive transaction holding a pooled
 * connection. The scanner's start block is the chain's head read by the same statement. When an API
 * key creates, the statement also checks that the key is still unrevoked (the key cache may be a
 * few milliseconds behind a revocation): nothing is written otherwise, and the answer is a 401.
 */
export async function insertPayment(
  db: Db,
  params: {
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
  },
): Promise<void> {
  const { merchantId, allocated, row, object: payment, amount, now, fiat } = params;
  const options = fiat?.options ?? [];
  setSpanAttribute(ATTR_PAYMENT_ID, payment.id);
  const apiKeyId = params.actor.type === "api_key" ? params.actor.apiKeyId : null;
  const [inserted] = await queryRaw<{ expires_at: string }>(
    db,
    sql`
    WITH payment AS (
      INSERT INTO payments (id, merchant_id, status, chain, chain_id, token_symbol, token_address, token_decimals,
        amount, deposit_address, derivation_account, derivation_index, required_confirmations, start_block,
        order_id, description, metadata, redirect_url, expires_at, created_at, updated_at,
        price_amount, price_currency, underpayment_tolerance_bps, value_received)
      SELECT ${payment.id}, ${merchantId}, 'pending', ${row.chain}, ${row.chainId}::int, ${row.tokenSymbol},
        ${row.tokenAddress}, ${row.tokenDecimals}::int, ${amount.toString()}::numeric, ${payment.address},
        ${allocated.hd_account}::int, ${allocated.index}::int, ${row.requiredConfirmations}::int,
        (SELECT head_block FROM chain_cursors WHERE chain = ${row.chain}),
        ${payment.order_id}, ${payment.description}, ${JSON.stringify(payment.metadata)}::jsonb, ${payment.redirect_url},
        ${now}::timestamptz + make_interval(secs => coalesce(${params.expiresIn}::int,
          (SELECT default_expiry_seconds FROM merchants WHERE id = ${merchantId}))),
        ${now}::timestamptz, ${now}::timestamptz,
        ${fiat ? fiat.priceAmount.toString() : null}::numeric, ${fiat?.currency ?? null}, ${fiat?.toleranceBps ?? null}::int,
        ${fiat ? "0" : null}::numeric
      WHERE ${apiKeyId}::text IS NULL OR EXISTS (SELECT 1 FROM api_keys WHERE id = ${apiKeyId} AND revoked_at IS NULL)
      RETURNING id, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at
    ), options AS (
      INSERT INTO payment_options (payment_id, position, chain, chain_id, token_symbol, token_address, token_decimals,
        amount, rate, rate_source, quote_expires_at)
      SELECT payment.id, o.position, o.chain, o.chain_id, o.token_symbol, o.token_address, o.token_decimals, o.amount,
        o.rate, o.rate_source, o.quote_expires_at
      FROM payment, unnest(${options.map((_, i) => i)}::int[], ${options.map((o) => o.chain)}::text[],
        ${options.map((o) => o.chainId)}::int[], ${options.map((o) => o.tokenSymbol)}::text[],
        ${options.map((o) => o.tokenAddress)}::text[], ${options.map((o) => o.tokenDecimals)}::int[],
        ${options.map((o) => o.amount.toString())}::numeric[], ${options.map((o) => o.rate)}::text[],
        ${options.map((o) => o.rateSource)}::text[], ${options.map((o) => o.quoteExpiresAt)}::timestamptz[])
        AS o(position, chain, chain_id, token_symbol, token_address, token_decimals, amount, rate, rate_source,
          quote_expires_at)
    ), status_change AS (
      INSERT INTO payment_status_changes (id, payment_id, from_status, to_status, reason, created_at)
      SELECT ${newId("psc")}, id, NULL, 'pending', 'created', ${now}::timestamptz FROM payment
    )
    INSERT INTO events (id, merchant_id, type, object_id, data, created_at, trace_parent)
    SELECT ${newId("evt")}, ${merchantId}, 'payment.created', id,
      jsonb_set(${JSON.stringify(payment)}::jsonb, '{expires_at}', to_jsonb(expires_at)), ${now}::timestamptz,
      ${activeTraceParent()}::text
    FROM payment
    RETURNING data->>'expires_at' AS expires_at`,
  );
  if (!inserted)
    throw new AppError("unauthorized", "Invalid or revoked API key", {
      headers: { "www-authenticate": 'Bearer realm="api", error="invalid_token"' },
    });
  // The merchant's default expiry as of this statement (a cached one may be out of date).
  payment.expires_at = inserted.expires_at;
}
