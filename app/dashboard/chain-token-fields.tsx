"use client";

import { useState } from "react";
import type { ChainOption } from "@/lib/dashboard/chain-options";
import { FieldError, type FieldErrors, fieldErrorProps } from "./field-error";

/**
 * The chain select and the token select of the chosen chain, for forms that name an amount. Both
 * are uncontrolled (React resets a form after its action to the default values): a form re-shown
 * with its submitted values remounts this with `key` so those become the defaults.
 */
export function ChainTokenFields({
  chains,
  errors,
  defaultToken,
}: {
  chains: ChainOption[];
  errors: FieldErrors;
  /** The token selected first: `{chain, token}` of a re-shown form, or the last token of each chain. */
  defaultToken?: { chain: string; token: string };
}) {
  const [chainName, setChainName] = useState(defaultToken?.chain ?? chains[0]?.name ?? "");
  const tokens = chains.find((chain) => chain.name === chainName)?.tokens ?? [];
  return (
    <>
      <div className="field">
        <label htmlFor="chain">Chain</label>
        <select
          id="chain"
          name="chain"
          defaultValue={chainName}
          onChange={(event) => setChainName(event.target.value)}
          {...fieldErrorProps(errors, "chain")}
        >
          {chains.map((chain) => (
            <option key={chain.name} value={chain.name}>
              {chain.name}
            </option>
          ))}
        </select>
        <FieldError errors={errors} field="chain" />
      </div>
      <div className="field">
        <label htmlFor="token">Token</label>
        <select
          id="token"
          name="token"
          key={chainName}
          defaultValue={defaultToken?.chain === chainName ? defaultToken.token : tokens.at(-1)}
          {...fieldErrorProps(errors, "token")}
        >
          {tokens.map((symbol) => (
            <option key={symbol} value={symbol}>
              {symbol}
            </option>
          ))}
        </select>
        <FieldError errors={errors} field="token" />
      </div>
    </>
  );
}
