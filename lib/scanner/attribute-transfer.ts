// Which payment a transfer to a deposit address credits, and for a fiat-priced payment what it is
// worth in the price currency (DESIGN.md "Invoices priced in fiat").
import { type Address, getAddress } from "viem";
import { type RatesDeps, valueAt } from "../payments/fiat-rates";

/** The columns attribution reads (added to the scanner's match query). */
export const FIAT_MATCH_SELECT = {
  priceCurrency: true,
  options: {
    select: {
      chain: true,
      tokenSymbol: true,
      tokenAddress: true,
      tokenDecimals: true,
      rate: true,
      quoteExpiresAt: true,
    },
  },
} as const;

export type MatchedPayment = {
  id: string;
  tokenAddress: string | null;
  priceCurrency: string | null;
  options: {
    chain: string;
    tokenSymbol: string;
    tokenAddress: string | null;
    tokenDecimals: number;
    rate: string;
    quoteExpiresAt: Date;
  }[];
};

const sameToken = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : getAddress(a) === getAddress(b);

/** The accepted option of a fiat-priced payment a transfer of `tokenAddress` on `chain` pays. */
export function optionOf(payment: MatchedPayment, chain: string, tokenAddress: string | null) {
  return payment.options.find(
    (option) => option.chain === chain && sameToken(option.tokenAddress, tokenAddress),
  );
}

/**
 * A single-coin payment is credited by its own token only; a fiat-priced one by any accepted
 * chain/token. Anything else sent to the address is recorded against the payment, credited to
 * nothing, until the merchant resolves it (never lost).
 */
export function attributeTransfer(payment: MatchedPayment, chain: string, tokenAddress: Address | null) {
  const credits =
    payment.priceCurrency === null
      ? sameToken(payment.tokenAddress, tokenAddress)
      : optionOf(payment, chain, tokenAddress) !== undefined;
  return {
    paymentId: credits ? payment.id : null,
    unattributedPaymentId: credits ? null : payment.id,
    fiatValue: null as bigint | null,
    fiatRate: null as string | null,
  };
}

/**
 * Values the transfers credited to fiat-priced payments: at the option's locked quote when the
 * transfer's block is inside the quote window, else at the rate of its block's time.
 */
export async function valueTransfers(
  rates: RatesDeps,
  chain: string,
  transfers: {
    paymentId: string | null;
    tokenAddress: string | null;
    amount: bigint;
    to: string;
    blockTimestamp: Date;
    fiatValue: bigint | null;
    fiatRate: string | null;
  }[],
  paymentOf: Map<string, MatchedPayment>,
): Promise<void> {
  for (const transfer of transfers) {
    const payment = paymentOf.get(getAddress(transfer.to));
    if (!transfer.paymentId || !payment?.priceCurrency) continue;
    const option = optionOf(payment, chain, transfer.tokenAddress);
    if (!option) continue;
    const valued = await valueAt(rates, {
      chain,
      token: option.tokenSymbol,
      decimals: option.tokenDecimals,
      currency: payment.priceCurrency,
      amount: transfer.amount,
      at: transfer.blockTimestamp,
      quote: transfer.blockTimestamp <= option.quoteExpiresAt ? option.rate : null,
      fallback: option.rate,
    });
    transfer.fiatValue = valued.value;
    transfer.fiatRate = valued.rate;
  }
}
