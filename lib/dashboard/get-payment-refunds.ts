import type { AccessDeps } from "../access/actor";
import { listBalanceTransactions } from "../balances/list-balance-transactions";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { formatAmount } from "../money/amounts";
import type { TPaymentObject } from "../payments/payment-object";
import { listPayouts } from "../payouts/list-payouts";
import type { TPayoutObject } from "../payouts/payout-object";

export type PaymentRefunds = {
  /** The payment's refunds (payouts linked to it), newest first. */
  refunds: TPayoutObject[];
  /** Why no refund can be made now (the service would refuse it), or null when one can. */
  refusal: { reason: "treasury_mode" | "not_settled" | "fully_refunded"; message: string } | null;
  /** What is left to refund: received minus the refunds not rejected or failed (token units). */
  refundable: string;
  /** The part received above the amount asked, when overpaid (token units), else null. */
  overpaid: string | null;
};

const SPENT_STATUSES = new Set<TPayoutObject["status"]>([
  "pending_approval",
  "approved",
  "sent",
  "confirmed",
]);

/**
 * A payment's refunds and whether (and how much) it can be refunded from the merchant's balance,
 * mirroring refundPayment's rules so the page offers the form only where the service accepts it.
 */
export async function getPaymentRefunds(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
  payment: TPaymentObject,
): Promise<PaymentRefunds> {
  const [refunds, credit, setting] = await Promise.all([
    listPayouts(deps, merchantId, { limit: 100, payment_id: payment.id }),
    listBalanceTransactions(deps, merchantId, { limit: 1, payment_id: payment.id, type: "payment_settled" }),
    deps.db.settlementSetting.findUnique({
      where: { merchantId_chain: { merchantId, chain: payment.chain } },
      select: { mode: true },
    }),
  ]);
  const decimals = payment.token.decimals;
  const received = BigInt(payment.amount_received_base_units);
  const refunded = refunds.data
    .filter((refund) => SPENT_STATUSES.has(refund.status))
    .reduce((sum, refund) => sum + BigInt(refund.amount_base_units), 0n);
  const refundable = received > refunded ? received - refunded : 0n;
  const excess = received - BigInt(payment.amount_base_units);
  const refusal: PaymentRefunds["refusal"] =
    setting?.mode !== "balance"
      ? {
          reason: "treasury_mode",
          message:
            `${payment.chain} is not in balance settlement mode: this payment's funds go to your own treasury ` +
            "address and the gateway holds nothing to refund from. Refund your customer from your treasury " +
            "wallet, or switch the chain to balance mode in Settings for future payments.",
        }
      : payment.status !== "settled" || credit.data.length === 0
        ? {
            reason: "not_settled",
            message: `Refunds are paid from your balance once the payment is settled into it; this payment is ${payment.status}.`,
          }
        : refundable === 0n
          ? { reason: "fully_refunded", message: "Everything this payment received has been refunded." }
          : null;
  return {
    refunds: refunds.data,
    refusal,
    refundable: formatAmount(refundable, decimals),
    overpaid: excess > 0n ? formatAmount(excess, decimals) : null,
  };
}
