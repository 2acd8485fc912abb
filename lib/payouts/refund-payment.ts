import { z } from "zod";
import { authorize } from "../access/actor";
import { recordAuditEntry } from "../audit/record-audit-entry";
import type { TChain } from "../config/chains";
import { AppError } from "../errors";
import { formatAmount, parseAmount } from "../money/amounts";
import { resolveToken } from "../payments/payment-object";
import { ZRecipientAddress } from "../validation/address";
import { zText } from "../validation/text";
import { createPayoutWith, type PayoutDeps } from "./create-payout";
import type { TPayoutObject } from "./payout-object";

export const ZRefundPayment = z.strictObject({
  address: ZRecipientAddress,
  /**
   * The coin to refund, for a fiat-priced payment paid in several: its chain (default: the payment's)
   * and token symbol (default: the payment's own coin on its chain, the native coin on another).
   */
  chain: z.string().min(1).max(64).optional(),
  token: z.string().min(1).max(32).optional(),
  /** Decimal string in the payment's token; default: everything received not yet refunded. */
  amount: z.string({ error: 'must be a decimal string such as "12.5"' }).max(100).optional(),
  description: zText().max(500).nullish(),
});
export type TRefundPayment = z.infer<typeof ZRefundPayment>;

/**
 * Refunds a settled payment from the merchant's balance: a payout linked to the payment, reserved
 * with a `refund` entry, in one coin the payment was credited with (its own by default; a
 * fiat-priced payment paid in several coins is refunded coin by coin). Refunds of one payment are
 * serialised by its row lock and never add up, per coin, to more than it received in that coin (an
 * overpayment is refunded by passing the overpaid part as `amount`). In `treasury` mode the gateway
 * holds nothing to refund from: 409.
 */
export async function refundPayment(
  deps: PayoutDeps,
  merchantId: string,
  paymentId: string,
  input: TRefundPayment,
): Promise<TPayoutObject> {
  authorize(deps.actor, merchantId, "refunds:write");
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM payments WHERE id = ${paymentId} AND merchant_id = ${merchantId} FOR UPDATE`;
    if (!locked) throw new AppError("not_found", `No such payment: ${paymentId}`);
    const payment = await tx.payment.findUniqueOrThrow({
      where: { id: paymentId },
      select: {
        status: true,
        chain: true,
        tokenSymbol: true,
        merchant: { select: { settlementSettings: { select: { chain: true, mode: true } } } },
      },
    });
    const coin = refundCoin(deps.chains, payment, input);
    const mode = payment.merchant.settlementSettings.find((s) => s.chain === coin.chain)?.mode;
    if (mode !== "balance")
      throw new AppError(
        "invalid_state",
        `Refunds are paid from your balance, but ${coin.chain} settles in treasury mode: this payment's ` +
          "funds were swept to your own treasury address and the gateway holds nothing to refund from. " +
          "Refund the customer from your treasury wallet, or switch the chain to balance mode for future payments.",
      );
    const settled = await tx.balanceTransaction.findFirst({
      where: { paymentId, type: "payment_settled", chain: coin.chain, tokenSymbol: coin.symbol },
      select: { id: true },
    });
    if (payment.status !== "settled")
      throw new AppError(
        "invalid_state",
        `Only a payment settled to your balance can be refunded; this one is ${payment.status}.`,
      );
    if (!settled)
      throw new AppError(
        "invalid_state",
        `This payment was not settled to your balance in ${coin.symbol} on ${coin.chain}; refund it in a coin it was paid in.`,
      );
    const [sums] = await tx.$queryRaw<{ received: string; refunded: string }[]>`
      SELECT
        (SELECT COALESCE(SUM(amount), 0) FROM transfers
         WHERE payment_id = ${paymentId} AND status <> 'reverted' AND chain = ${coin.chain}
           AND lower(token_address) IS NOT DISTINCT FROM ${coin.address?.toLowerCase() ?? null})::text AS received,
        (SELECT COALESCE(SUM(amount), 0) FROM payouts
         WHERE payment_id = ${paymentId} AND status NOT IN ('rejected', 'failed')
           AND chain = ${coin.chain} AND token_symbol = ${coin.symbol})::text AS refunded`;
    const refundable = BigInt(sums?.received ?? "0") - BigInt(sums?.refunded ?? "0");
    const amount = input.amount ? parseAmount(input.amount, coin.decimals) : refundable;
    if (amount <= 0n || amount > refundable) {
      const left = refundable > 0n ? refundable : 0n;
      const message = `exceeds what is left to refund of this payment (${formatAmount(left, coin.decimals)} ${coin.symbol})`;
      throw new AppError("validation_failed", `amount: ${message}`, {
        errors: [{ path: "amount", message }],
      });
    }
    const refund = await createPayoutWith(
      deps,
      merchantId,
      {
        chain: coin.chain,
        token: coin.symbol,
        amount: formatAmount(amount, coin.decimals),
        address: input.address,
        description: input.description ?? `refund of ${paymentId}`,
      },
      { paymentId, tx },
    );
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "payment.refunded",
      targetId: paymentId,
      details: {
        payout_id: refund.id,
        amount: refund.amount,
        token: refund.token.symbol,
        chain: refund.chain,
        address: input.address,
      },
      origin: deps.origin,
    });
    return refund;
  });
}

/** The coin a refund is paid in, as chains.yaml names it; an unknown chain or token is a 422. */
function refundCoin(
  chains: TChain[],
  payment: { chain: string; tokenSymbol: string },
  input: Pick<TRefundPayment, "chain" | "token">,
) {
  const chainName = input.chain ?? payment.chain;
  const chain = chains.find((candidate) => candidate.name === chainName);
  if (!chain)
    throw new AppError("validation_failed", `chain: unknown chain ${chainName}`, {
      errors: [{ path: "chain", message: `unknown chain ${chainName}` }],
    });
  const symbol = input.token ?? (chainName === payment.chain ? payment.tokenSymbol : null);
  const token = resolveToken(chain, symbol);
  if (!token)
    throw new AppError("validation_failed", `token: ${symbol} is not a token on ${chainName}`, {
      errors: [{ path: "token", message: `${symbol} is not a token on ${chainName}` }],
    });
  return { chain: chainName, ...token };
}
