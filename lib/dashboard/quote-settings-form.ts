// The dashboard's "Prices in fiat" settings form (strings from FormData) → the quote settings input
// of `PUT /api/v1/settings/quotes` (lib/merchants/quote-settings.ts validates it again, and the coins).
import { z } from "zod";
import { networkName } from "../chains/network-name";
import type { TChain } from "../config/chains";
import { MAX_QUOTE_TTL, MIN_QUOTE_TTL, type TSetQuoteSettingsInput } from "../merchants/quote-settings";

export const ZQuoteSettingsForm = z
  .object({
    quote_ttl_minutes: z.coerce
      .number({ error: "Enter the quote window in whole minutes." })
      .int("Use whole minutes.")
      .min(MIN_QUOTE_TTL / 60, `At least ${MIN_QUOTE_TTL / 60} minute.`)
      .max(MAX_QUOTE_TTL / 60, `At most ${MAX_QUOTE_TTL / 60} minutes (one day).`),
    underpayment_tolerance: z
      .string()
      .trim()
      .regex(/^\d{1,2}(\.\d{1,2})?$/, "Enter a percentage such as 0 or 0.5 (at most two decimals).")
      .refine((value) => Number(value) <= 10, "At most 10 percent."),
    /** Checkbox values "chain:SYMBOL". */
    accepted_coins: z.array(z.string().max(64)).min(1, "Choose at least one coin to accept."),
    display_currency: z.string().min(1, "Choose a currency."),
  })
  .transform(
    (form): TSetQuoteSettingsInput => ({
      quote_ttl: form.quote_ttl_minutes * 60,
      underpayment_tolerance: form.underpayment_tolerance,
      accepted_coins: form.accepted_coins.map(coinOfChoice),
      display_currency: form.display_currency,
    }),
  );

/** A checkbox value "chain:SYMBOL" as the API's `{chain, token}`. */
export function coinOfChoice(value: string): { chain: string; token: string | null } {
  const [chain = "", token = ""] = value.split(":");
  return { chain, token: token || null };
}

export type TCoinChoice = { value: string; label: string };

/** Every configured coin as a checkbox: value "chain:SYMBOL", label "USDC on Base" (friendly network name). */
export function coinChoices(chains: readonly TChain[]): TCoinChoice[] {
  return chains.flatMap((chain) =>
    [chain.nativeCurrency.symbol, ...chain.tokens.map((token) => token.symbol)].map((symbol) => ({
      value: `${chain.name}:${symbol}`,
      label: `${symbol} on ${networkName(chain)}`,
    })),
  );
}

/** The checkbox value of an accepted coin (token null = the chain's native coin). */
export function coinChoiceValue(chains: readonly TChain[], coin: { chain: string; token: string | null }) {
  const chain = chains.find((candidate) => candidate.name === coin.chain);
  return `${coin.chain}:${coin.token ?? chain?.nativeCurrency.symbol ?? ""}`;
}
