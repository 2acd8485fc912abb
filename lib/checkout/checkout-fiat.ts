import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { formatAmount } from "../money/amounts";
import { fiatToBaseUnits, formatFiatAmount, isCurrency } from "../money/fiat";
import { paymentUri, toBigInt } from "../payments/payment-object";
import type { TCheckoutObject } from "./checkout-object";

/**
 * The fiat part of a checkout: price, value received and remaining, and per accepted coin what is
 * still due in it at its quote (rounded up, so paying it reaches the price) with its EIP-681 URI.
 */
export async function checkoutFiatPart(
  db: Db,
  chains: TChain[],
  params: { id: string; address: string; due: boolean; requoted: boolean },
): Promise<TCheckoutObject["fiat"]> {
  const row = await db.payment.findUnique({
    where: { id: params.id },
    select: {
      priceAmount: true,
      priceCurrency: true,
      valueReceived: true,
      options: { orderBy: { position: "asc" } },
    },
  });
  if (!row?.priceAmount || !row.priceCurrency || !isCurrency(row.priceCurrency)) return undefined;
  const currency = row.priceCurrency;
  const price = toBigInt(row.priceAmount);
  const received = row.valueReceived ? toBigInt(row.valueReceived) : 0n;
  const remaining = price > received ? price - received : 0n;
  return {
    price: { amount: formatFiatAmount(price, currency), currency },
    value_received: formatFiatAmount(received, currency),
    value_remaining: formatFiatAmount(remaining, currency),
    requoted: params.requoted,
    options: row.options.map((option) => {
      const units = fiatToBaseUnits(remaining, currency, option.rate, option.tokenDecimals);
      return {
        chain: checkoutChain(chains, option.chain, option.chainId),
        token: { symbol: option.tokenSymbol, address: option.tokenAddress, decimals: option.tokenDecimals },
        rate: option.rate,
        stablecoin: option.rateSource === "peg",
        amount_remaining: formatAmount(units, option.tokenDecimals),
        amount_remaining_base_units: units.toString(),
        remaining_payment_uri:
          params.due && units > 0n
            ? paymentUri({
                address: params.address,
                chainId: option.chainId,
                tokenAddress: option.tokenAddress,
                amount: units,
              })
            : null,
        quote_expires_at: option.quoteExpiresAt.toISOString(),
      };
    }),
  };
}

/** A chain as the checkout shows it (its native coin from chains.yaml; ETH if no longer configured). */
export function checkoutChain(chains: TChain[], name: string, chainId: number): TCheckoutObject["chain"] {
  const chain = chains.find((candidate) => candidate.name === name);
  return {
    name,
    chain_id: chainId,
    native_currency: chain
      ? { symbol: chain.nativeCurrency.symbol, decimals: chain.nativeCurrency.decimals }
      : { symbol: "ETH", decimals: 18 },
  };
}
