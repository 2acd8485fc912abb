import { z } from "zod";
import { authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import { AppError } from "../errors";
import { acceptsFor, configuredCoins } from "../merchants/accepted-coins";
import {
  allocateDepositIndex,
  CREATE_PAYMENT_COMMON,
  type CreatePaymentDeps,
  type FiatInsert,
  insertPayment,
  newPaymentRow,
  ZCreatePayment,
} from "./create-payment";
import { parsePrice, quoteOption, type RatesDeps } from "./fiat-rates";
import { resolveToken, serializePayment, type TPaymentObject } from "./payment-object";

export const ZAccept = z.strictObject({
  chain: z.string().min(1).max(32),
  /** A symbol from chains.yaml; omitted = the chain's native coin. */
  token: z.string().min(1).max(16).nullish(),
});

/** `POST /api/v1/payments` priced in fiat: the payer chooses among `accepts` (default: every coin). */
export const ZCreateFiatPayment = z.strictObject({
  price: z.strictObject({
    /** Exact decimal string in the currency's units ("20.00"); numbers are refused. */
    amount: z.string({ error: 'must be a decimal string such as "20.00"' }).max(100),
    currency: z.string().regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code such as USD"),
  }),
  accepts: z.array(ZAccept).min(1).max(50).optional(),
  ...CREATE_PAYMENT_COMMON,
});
export type TCreateFiatPayment = z.infer<typeof ZCreateFiatPayment>;

/**
 * The request body of `POST /api/v1/payments`: a body with `price` is the fiat form, any other the
 * single-coin form (validated exactly as before). Mixing them is refused: each form is strict.
 */
export const ZCreatePaymentRequest = z.custom<unknown>().transform((value, context) => {
  const fiat = typeof value === "object" && value !== null && "price" in value;
  const parsed = (fiat ? ZCreateFiatPayment : ZCreatePayment).safeParse(value);
  if (parsed.success) return parsed.data as TCreateFiatPayment | z.infer<typeof ZCreatePayment>;
  for (const issue of parsed.error.issues)
    context.addIssue({ code: "custom", message: issue.message, path: [...issue.path] });
  return z.NEVER;
});

/** The union the OpenAPI document shows for the request body. */
export const ZCreatePaymentRequestDoc = z.union([ZCreatePayment, ZCreateFiatPayment]);

export function isFiatRequest(
  body: TCreateFiatPayment | z.infer<typeof ZCreatePayment>,
): body is TCreateFiatPayment {
  return "price" in body;
}

export type CreateFiatPaymentDeps = CreatePaymentDeps & { rates?: RatesDeps };

/** Every chain/token an `accepts` list names (default: every configured coin), validated. */
export function resolveAccepts(chains: TChain[], accepts: TCreateFiatPayment["accepts"], name = "accepts") {
  const requested = accepts ?? configuredCoins(chains);
  const seen = new Set<string>();
  return requested.map((accept, index) => {
    const fail = (field: string, message: string) => {
      const path = accepts ? `${name}.${index}.${field}` : name;
      throw new AppError("validation_failed", `${path}: ${message}`, { errors: [{ path, message }] });
    };
    const chain = chains.find((candidate) => candidate.name === accept.chain);
    if (!chain) return fail("chain", `unknown chain; configured: ${chains.map((c) => c.name).join(", ")}`);
    const token = resolveToken(chain, accept.token);
    if (!token) return fail("token", `unknown token on ${chain.name}`);
    const key = `${chain.name}:${token.symbol}`;
    if (seen.has(key)) return fail("token", `${token.symbol} on ${chain.name} is listed twice`);
    seen.add(key);
    return { chain, token };
  });
}

/**
 * Creates a payment priced in fiat: one deposit address (one HD index: the same address on every
 * EVM chain) and one option per accepted chain/token with its amount at the current rate, locked
 * for the merchant's quote window. Rates are read before the index is allocated, so a refused
 * payment (rate unavailable: 503) costs no index.
 */
export async function createFiatPayment(
  deps: CreateFiatPaymentDeps,
  merchantId: string,
  input: TCreateFiatPayment,
): Promise<TPaymentObject> {
  authorize(deps.actor, merchantId, "payments:write");
  const now = deps.now ?? new Date();
  const price = parsePrice(input.price.amount, input.price.currency, "price.amount");
  const rates = deps.rates ?? { db: deps.db, chains: deps.chains };
  // The merchant's accepted coins (lib/merchants/accepted-coins.ts): the default, and the limit.
  const accepts = await acceptsFor(deps.db, deps.chains, merchantId, input.accepts);
  const settled = await Promise.allSettled(
    resolveAccepts(deps.chains, accepts).map(async (coin) => ({
      ...coin,
      quote: await quoteOption(rates, { ...coin, currency: price.currency, minor: price.minor, at: now }),
    })),
  );
  // Coins the merchant named must all be quoted; by default a coin without a rate (its sources are
  // down) is left out, so pegged stablecoins keep working. None at all: the 503 of the first.
  const failure = settled.find((result) => result.status === "rejected");
  if (failure && (input.accepts || settled.every((result) => result.status === "rejected")))
    throw failure.reason;
  const options = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const [first] = options;
  if (!first) throw new AppError("validation_failed", "accepts: no coin to pay with");

  // The quote window and the tolerance are stored with the payment: read them now.
  const allocated = await allocateDepositIndex(deps.db, merchantId, { fresh: true });
  const quoteExpiresAt = new Date(now.getTime() + allocated.quote_ttl_seconds * 1000);
  const fiat: FiatInsert = {
    priceAmount: price.minor,
    currency: price.currency,
    toleranceBps: allocated.underpayment_tolerance_bps,
    options: options.map(({ chain, token, quote }) => ({
      chain: chain.name,
      chainId: chain.chainId,
      tokenSymbol: token.symbol,
      tokenAddress: token.address,
      tokenDecimals: token.decimals,
      amount: quote.amount,
      rate: quote.rate,
      rateSource: quote.source,
      quoteExpiresAt,
    })),
  };
  const row = {
    ...newPaymentRow({
      chain: first.chain,
      token: first.token,
      amount: first.quote.amount,
      allocated,
      input,
      now,
    }),
    priceAmount: { toFixed: () => price.minor.toString() },
    priceCurrency: price.currency,
    valueReceived: { toFixed: () => "0" },
    options: fiat.options.map((option) => ({
      ...option,
      amount: { toFixed: () => option.amount.toString() },
    })),
    unattributedTransfers: [],
    optionPaid: false,
  };
  const payment = serializePayment(row, deps.baseUrl);
  await insertPayment(deps.db, {
    merchantId,
    allocated,
    row,
    object: payment,
    amount: first.quote.amount,
    now,
    fiat,
    actor: deps.actor,
    expiresIn: input.expires_in ?? null,
  });
  return payment;
}
