// wagmi configuration of the checkout's "Pay with browser wallet" (client-side, loaded lazily). The
// chain comes from the public checkout projection; reads and writes go through the payer's own
// injected wallet (EIP-1193), so no RPC URL of ours (which may carry a provider key) reaches the page.
import { type Address, defineChain, erc20Abi, getAddress } from "viem";
import { createConfig, injected, unstable_connector } from "wagmi";
import type { TCheckoutObject } from "./checkout-object";

export function checkoutChain(checkout: TCheckoutObject) {
  return defineChain({
    id: checkout.chain.chain_id,
    name: checkout.chain.name,
    nativeCurrency: {
      name: checkout.chain.native_currency.symbol,
      symbol: checkout.chain.native_currency.symbol,
      decimals: checkout.chain.native_currency.decimals,
    },
    rpcUrls: { default: { http: [] } },
  });
}

export function createCheckoutWagmiConfig(checkout: TCheckoutObject) {
  const chain = checkoutChain(checkout);
  return createConfig({
    chains: [chain],
    connectors: [injected()],
    transports: { [chain.id]: unstable_connector(injected) },
    ssr: false,
    // Nothing to remember between visits: a payer connects for this one payment.
    storage: null,
  });
}

export type WalletPayment =
  | { kind: "native"; to: Address; value: bigint }
  | {
      kind: "erc20";
      token: Address;
      abi: typeof erc20Abi;
      functionName: "transfer";
      args: readonly [Address, bigint];
    };

/** The transfer of the exact remaining amount to the deposit address; null when nothing is due. */
export function walletPayment(checkout: TCheckoutObject): WalletPayment | null {
  const remaining = BigInt(checkout.amount_remaining_base_units);
  if (remaining <= 0n || checkout.remaining_payment_uri === null) return null;
  const to = getAddress(checkout.address);
  if (!checkout.token.address) return { kind: "native", to, value: remaining };
  return {
    kind: "erc20",
    token: getAddress(checkout.token.address),
    abi: erc20Abi,
    functionName: "transfer",
    args: [to, remaining] as const,
  };
}
