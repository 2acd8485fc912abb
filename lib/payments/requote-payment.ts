import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { parseCurrency } from "../money/fiat";
import { quoteOption, type RatesDeps } from "./fiat-rates";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

export type RequotePaymentDeps = { db: Db; chains: TChain[]; baseUrl: string; rates?: RatesDeps; now?: Date };

/**
 * Re-quotes a fiat-priced payment whose quotes expired while it was still `pending`: every option
 * gets the amount worth the price at the current rate and a new window (the merchant's quote
 * window), with a `payment.requoted` event. The checkout calls it when it loads a payment after its
 * quotes expired. Rates are read before the payment is locked; under the lock the expiry is checked
 * again, so two concurrent calls re-quote once. Returns the payment object when it was re-quoted,
 * null when nothing was due (not fiat, not pending, quotes still valid, payment expired).
 */
export async function requotePayment(
  deps: RequotePaymentDeps,
  paymentId: string,
): Promise<TPaymentObject | null> {
  const now = deps.now ?? new Date();
  const due = await deps.db.payment.findFirst({
    where: {
      id: paymentId,
      status: "pending",
      priceCurrency: { not: null },
      expiresAt: { gt: now },
      options: { some: { quoteExpiresAt: { lte: now } } },
    },
    select: {
      priceAmount: true,
      priceCurrency: true,
      merchant: { select: { quoteTtlSeconds: true } },
      options: { select: { position: true, chain: true, tokenSymbol: true, tokenDecimals: true } },
    },
  });
  if (!due?.priceAmount || !due.priceCurrency) return null;
  const currency = parseCurrency(due.priceCurrency);
  const minor = BigInt(due.priceAmount.toFixed());
  const rates = deps.rates ?? { db: deps.db, chains: deps.chains };
  // An option whose rate cannot be had now keeps its expired quote (the checkout keeps working; a
  // transfer in it is valued at its block's rate); the others are re-quoted.
  const quotes = await Promise.all(
    due.options.map(async (option) => {
      const chain = deps.chains.find((candidate) => candidate.name === option.chain);
      if (!chain) return null;
      const token = { symbol: option.tokenSymbol, decimals: option.tokenDecimals };
      try {
        return {
          position: option.position,
          ...(await quoteOption(rates, { chain, token, currency, minor, at: now })),
        };
      } catch (error) {
        if (error instanceof AppError && error.code === "rate_unavailable") return null;
        throw error;
      }
    }),
  );
  const fresh = quotes.flatMap((quote) => (quote ? [quote] : []));
  if (fresh.length === 0) return null;
  const quoteExpiresAt = new Date(now.getTime() + due.merchant.quoteTtlSeconds * 1000);
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ merchant_id: string }[]>`
      SELECT merchant_id FROM payments WHERE id = ${paymentId} AND status = 'pending' FOR UPDATE`;
    if (!locked) return null;
    const updated = await tx.$executeRaw`
      UPDATE payment_options AS o SET amount = q.amount, rate = q.rate, rate_source = q.source,
        quote_expires_at = ${quoteExpiresAt}
      FROM unnest(${fresh.map((q) => q.position)}::int[], ${fresh.map((q) => q.amount.toString())}::numeric[],
        ${fresh.map((q) => q.rate)}::text[], ${fresh.map((q) => q.source)}::text[]) AS q(position, amount, rate, source)
      WHERE o.payment_id = ${paymentId} AND o.position = q.position AND o.quote_expires_at <= ${now}`;
    if (updated === 0) return null;
    // The coin columns follow the first option until one is paid.
    await tx.$executeRaw`
      UPDATE payments AS p SET amount = o.amount, updated_at = now() FROM payment_options AS o
      WHERE p.id = ${paymentId} AND NOT p.option_paid AND o.payment_id = p.id AND o.position = 0`;
    await tx.paymentStatusChange.create({
      data: {
        id: newId("psc"),
        paymentId,
        fromStatus: "pending",
        toStatus: "pending",
        reason: `quotes expired unpaid: re-quoted at the current rates until ${quoteExpiresAt.toISOString()}`,
        createdAt: now,
      },
      select: { id: true },
    });
    const payment = serializePayment(
      await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, select: PAYMENT_SELECT }),
      deps.baseUrl,
    );
    await recordEvent(tx, {
      merchantId: locked.merchant_id,
      type: "payment.requoted",
      objectId: paymentId,
      object: payment,
      createdAt: now,
    });
    return payment;
  });
}
