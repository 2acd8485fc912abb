import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { newId } from "../ids";
import { parseAmount } from "../money/amounts";
import { ATTR_PAYMENT_ID } from "../observability/attributes";
import { activeTraceParent, setSpanAttribute } from "../observability/tracing";
import { zText } from "../validation/text";
import { depositAddress } from "../wallet/derivation";
import { type PaymentRow, resolveToken, serializePayment, type TPaymentObject } from "./payment-object";

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
 * allocated atomically. Two round trips, no interactive transaction: under a burst of concurrent
 * requests nothing waits on a held connection.
 */
export async function createPayment(
  deps: CreatePaymentDeps,
  merchantId: string,
  input: TCreatePayment,
): Promise<TPaymentObject> {
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

  const allocated = await allocateDepositIndex(deps.db, merchantId, chain.name);
  const row = newPaymentRow({ chain, token, amount, allocated, input, now });
  const payment = serializePayment(row, deps.baseUrl);

  await insertPayment(deps.db, { merchantId, allocated, row, object: payment, amount, now });
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
    depositAddress: depositAddress(allocated.deposit_xpub, allocated.index),
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
  };
}

export type AllocatedDeposit = {
  index: number;
  hd_account: number;
  deposit_xpub: string;
  default_expiry_seconds: number;
  quote_ttl_seconds: number;
  underpayment_tolerance_bps: number;
  head_block: bigint | null;
};

/**
 * One statement allocates the deposit index (never reused, even if the request fails later: a gap
 * is harmless, a reuse is not) and reads the chain head the scanner should start from.
 */
export async function allocateDepositIndex(
  db: Db,
  merchantId: string,
  chain: string,
): Promise<AllocatedDeposit> {
  const [allocated] = await db.$queryRaw<AllocatedDeposit[]>`
    UPDATE merchants SET next_deposit_index = next_deposit_index + 1, updated_at = now()
    WHERE id = ${merchantId}
    RETURNING next_deposit_index - 1 AS index, hd_account, deposit_xpub, default_expiry_seconds,
      quote_ttl_seconds, underpayment_tolerance_bps,
      (SELECT head_block FROM chain_cursors WHERE chain = ${chain}) AS head_block`;
  if (!allocated) throw new AppError("not_found", "Merchant not found");
  return allocated;
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
 * connection.
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
  },
): Promise<void> {
  const { merchantId, allocated, row, object: payment, amount, now, fiat } = params;
  const options = fiat?.options ?? [];
  setSpanAttribute(ATTR_PAYMENT_ID, payment.id);
  await db.$executeRaw`
    WITH payment AS (
      INSERT INTO payments (id, merchant_id, status, chain, chain_id, token_symbol, token_address, token_decimals,
        amount, deposit_address, derivation_account, derivation_index, required_confirmations, start_block,
        order_id, description, metadata, redirect_url, expires_at, created_at, updated_at,
        price_amount, price_currency, underpayment_tolerance_bps, value_received)
      VALUES (${payment.id}, ${merchantId}, 'pending', ${row.chain}, ${row.chainId}, ${row.tokenSymbol},
        ${row.tokenAddress}, ${row.tokenDecimals}, ${amount.toString()}::numeric, ${payment.address},
        ${allocated.hd_account}, ${allocated.index}, ${row.requiredConfirmations}, ${allocated.head_block}::bigint,
        ${payment.order_id}, ${payment.description}, ${JSON.stringify(payment.metadata)}::jsonb, ${payment.redirect_url},
        ${new Date(payment.expires_at)}, ${now}, ${now}, ${fiat ? fiat.priceAmount.toString() : null}::numeric,
        ${fiat?.currency ?? null}, ${fiat?.toleranceBps ?? null}::int, ${fiat ? "0" : null}::numeric)
      RETURNING id
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
      SELECT ${newId("psc")}, id, NULL, 'pending', 'created', ${now} FROM payment
    )
    INSERT INTO events (id, merchant_id, type, object_id, data, created_at, trace_parent)
    SELECT ${newId("evt")}, ${merchantId}, 'payment.created', id, ${JSON.stringify(payment)}::jsonb, ${now},
      ${activeTraceParent()}::text FROM payment`;
}
