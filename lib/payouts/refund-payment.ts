import { z } from "zod";
import { authorize } from "../access/actor";
import { recordAuditEntry } from "../audit/record-audit-entry";
import { AppError } from "../errors";
import { formatAmount, parseAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";
import { ZRecipientAddress } from "../validation/address";
import { zText } from "../validation/text";
import { createPayoutWith, type PayoutDeps } from "./create-payout";
import type { TPayoutObject } from "./payout-object";

export const ZRefundPayment = z.strictObject({
  address: ZRecipientAddress,
  /** Decimal string in the payment's token; default: everything received not yet refunded. */
  amount: z.string({ error: 'must be a decimal string such as "12.5"' }).max(100).optional(),
  description: zText().max(500).nullish(),
});
export type TRefundPayment = z.infer<typeof ZRefundPayment>;

/**
 * Refunds a settled payment from the merchant's balance: a payout linked to the payment, reserved
 * with a `refund` entry. Refunds of one payment are serialised by its row lock and never add up to
 * more than it received (an overpayment is refunded by passing the overpaid part as `amount`). In
 * `treasury` mode the gateway holds nothing to refund from: 409.
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
        tokenDecimals: true,
        amountReceived: true,
        merchant: { select: { settlementSettings: { select: { chain: true, mode: true } } } },
      },
    });
    const mode = payment.merchant.settlementSettings.find((s) => s.chain === payment.chain)?.mode;
    if (mode !== "balance")
      throw new AppError(
        "invalid_state",
        `Refunds are paid from your balance, but ${payment.chain} settles in treasury mode: this payment's ` +
          "funds were swept to your own treasury address and the gateway holds nothing to refund from. " +
          "Refund the customer from your treasury wallet, or switch the chain to balance mode for future payments.",
      );
    const settled = await tx.balanceTransaction.findFirst({
      // The payment's own coin (a fiat-priced payment paid in several coins is refunded in that one).
      where: { paymentId, type: "payment_settled", chain: payment.chain, tokenSymbol: payment.tokenSymbol },
      select: { id: true },
    });
    if (payment.status !== "settled" || !settled)
      throw new AppError(
        "invalid_state",
        `Only a payment settled to your balance can be refunded; this one is ${payment.status}.`,
      );
    const received = toBigInt(payment.amountReceived);
    const [refunded] = await tx.$queryRaw<{ total: string }[]>`
      SELECT COALESCE(SUM(amount), 0)::text AS total FROM payouts
      WHERE payment_id = ${paymentId} AND status NOT IN ('rejected', 'failed')`;
    const refundable = received - BigInt(refunded?.total ?? "0");
    const amount = input.amount ? parseAmount(input.amount, payment.tokenDecimals) : refundable;
    if (amount <= 0n || amount > refundable) {
      const message = `exceeds what is left to refund of this payment (${formatAmount(refundable, payment.tokenDecimals)} ${payment.tokenSymbol})`;
      throw new AppError("validation_failed", `amount: ${message}`, {
        errors: [{ path: "amount", message }],
      });
    }
    const refund = await createPayoutWith(
      deps,
      merchantId,
      {
        chain: payment.chain,
        token: payment.tokenSymbol,
        amount: formatAmount(amount, payment.tokenDecimals),
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
        address: input.address,
      },
      origin: deps.origin,
    });
    return refund;
  });
}
