import type { AccessDeps } from "../access/actor";
import { listBalanceTransactions } from "../balances/list-balance-transactions";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { formatAmount } from "../money/amounts";
import type { TPaymentObject } from "../payments/payment-object";
import { listPayouts } from "../payouts/list-payouts";
import type { TPayoutObject } from "../payouts/payout-object";

/** One coin the payment was settled to the balance in, and what is left to refund in it. */
export type RefundCoin = {
  chain: string;
  symbol: string;
  /** Received in this coin minus its refunds not rejected or failed (token units). */
  refundable: string;
  /** The part received above the amount asked, when overpaid (the payment's own coin only), else null. */
  overpaid: string | null;
};

export type PaymentRefunds = {
  /** The payment's refunds (payouts linked to it), newest first. */
  refunds: TPayoutObject[];
  /** Why no refund can be made now (the service would refuse it), or null when one can. */
  refusal: { reason: "treasury_mode" | "not_settled" | "fully_refunded"; message: string } | null;
  /**
   * The coins it can be refunded in, the payment's own first: one for a single-coin payment, one per
   * coin credited for a fiat-priced payment paid in several.
   */
  coins: RefundCoin[];
};

const SPENT_STATUSES = new Set<TPayoutObject["status"]>([
  "pending_approval",
  "approved",
  "sent",
  "confirmed",
]);

/**
 * A payment's refunds and whether (and how much, per coin) it can be refunded from the merchant's
 * balance, mirroring refundPayment's rules so the page offers the form only where the service
 * accepts it.
 */
export async function getPaymentRefunds(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
  payment: TPaymentObject,
): Promise<PaymentRefunds> {
  const [refunds, credits, setting] = await Promise.all([
    listPayouts(deps, merchantId, { limit: 100, payment_id: payment.id }),
    listBalanceTransactions(deps, merchantId, {
      limit: 100,
      payment_id: payment.id,
      type: "payment_settled",
    }),
    // A fiat-priced payment nothing was paid to yet names no chain (and has nothing to refund).
    payment.chain
      ? deps.db.settlementSetting.findUnique({
          where: { merchantId_chain: { merchantId, chain: payment.chain } },
          select: { mode: true },
        })
      : null,
  ]);
  const own = (chain: string, symbol: string) => chain === payment.chain && symbol === payment.token?.symbol;
  const received =
    payment.received ??
    (payment.chain && payment.token
      ? [
          {
            chain: payment.chain,
            token: payment.token,
            amount_base_units: payment.amount_received_base_units,
          },
        ]
      : []);
  const coins = credits.data
    .map((credit) => {
      const { chain } = credit;
      const { symbol, decimals } = credit.token;
      const sent = received.find((coin) => coin.chain === chain && coin.token.symbol === symbol);
      const refunded = refunds.data
        .filter((refund) => SPENT_STATUSES.has(refund.status))
        .filter((refund) => refund.chain === chain && refund.token.symbol === symbol)
        .reduce((sum, refund) => sum + BigInt(refund.amount_base_units), 0n);
      const total = BigInt(sent?.amount_base_units ?? "0");
      const left = total > refunded ? total - refunded : 0n;
      const excess = total - BigInt(payment.amount_base_units ?? "0");
      const coin: RefundCoin = {
        chain,
        symbol,
        refundable: formatAmount(left, decimals),
        overpaid: own(chain, symbol) && !payment.price && excess > 0n ? formatAmount(excess, decimals) : null,
      };
      return { coin, left };
    })
    .sort((a, b) => Number(own(b.coin.chain, b.coin.symbol)) - Number(own(a.coin.chain, a.coin.symbol)));
  const refusal: PaymentRefunds["refusal"] =
    payment.chain && setting?.mode !== "balance"
      ? {
          reason: "treasury_mode",
          message:
            `${payment.chain} is not in balance settlement mode: this payment's funds go to your own treasury ` +
            "address and the gateway holds nothing to refund from. Refund your customer from your treasury " +
            "wallet, or switch the chain to balance mode in Settings for future payments.",
        }
      : payment.status !== "settled" || coins.length === 0
        ? {
            reason: "not_settled",
            message:
              payment.status === "expired" && payment.exception === "underpaid"
                ? "To return what arrived, accept the payment as paid: it is then settled into your balance and can be refunded here, all or part of it."
                : `Refunds are paid from your balance once the payment is settled into it; this payment is ${payment.status}.`,
          }
        : coins.every(({ left }) => left === 0n)
          ? { reason: "fully_refunded", message: "Everything this payment received has been refunded." }
          : null;
  return {
    refunds: refunds.data,
    refusal,
    coins: coins.filter(({ left }) => left > 0n).map(({ coin }) => coin),
  };
}
