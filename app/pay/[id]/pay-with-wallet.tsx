"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import {
  useConnect,
  useConnection,
  useConnectors,
  useSendTransaction,
  useSwitchChain,
  useWriteContract,
  WagmiProvider,
} from "wagmi";
import type { TCheckoutObject } from "@/lib/checkout/checkout-object";
import { createCheckoutWagmiConfig, walletPayment } from "@/lib/checkout/wallet-config";
import styles from "./checkout.module.css";

type Props = { checkout: TCheckoutObject };

/**
 * Loaded on demand (next/dynamic): wagmi, viem and the TanStack Query client wagmi runs on are not
 * part of the checkout's first load.
 */
export default function PayWithWallet({ checkout }: Props) {
  const [config] = useState(() => createCheckoutWagmiConfig(checkout));
  const [queryClient] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <WagmiProvider config={config}>
        <WalletFlow checkout={checkout} />
      </WagmiProvider>
    </QueryClientProvider>
  );
}

type FlowState =
  | { phase: "idle" }
  | { phase: "working"; message: string }
  | { phase: "sent"; hash: string }
  | { phase: "error"; message: string };

function WalletFlow({ checkout }: Props) {
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const switchChain = useSwitchChain();
  const sendTransaction = useSendTransaction();
  const writeContract = useWriteContract();
  const [state, setState] = useState<FlowState>({ phase: "idle" });
  const payment = walletPayment(checkout);
  const chainId = checkout.chain.chain_id;

  const pay = async () => {
    const connector = connectors[0];
    if (!payment || !connector) return;
    try {
      let currentChainId = connection.chainId;
      if (!connection.isConnected) {
        setState({ phase: "working", message: "Connect your wallet…" });
        currentChainId = (await connect.mutateAsync({ connector })).chainId;
      }
      if (currentChainId !== chainId) {
        setState({ phase: "working", message: `Switch your wallet to ${checkout.chain.name}…` });
        await switchChain.mutateAsync({ chainId });
      }
      setState({ phase: "working", message: "Confirm the payment in your wallet…" });
      const hash =
        payment.kind === "native"
          ? await sendTransaction.mutateAsync({ to: payment.to, value: payment.value, chainId })
          : await writeContract.mutateAsync({
              address: payment.token,
              abi: payment.abi,
              functionName: payment.functionName,
              args: payment.args,
              chainId,
            });
      setState({ phase: "sent", hash });
    } catch (error) {
      setState({ phase: "error", message: walletErrorMessage(error) });
    }
  };

  if (!payment) return null;
  return (
    <div className={styles.wallet} data-testid="wallet-panel">
      {state.phase === "sent" ? (
        <p role="status" data-testid="wallet-sent">
          Transaction sent: <span className={`${styles.mono} ${styles.address}`}>{state.hash}</span>. This
          page updates when the network sees it.
        </p>
      ) : (
        <button
          type="button"
          className="button"
          disabled={state.phase === "working"}
          onClick={() => void pay()}
          data-testid="wallet-pay"
        >
          {state.phase === "working"
            ? state.message
            : `Send ${checkout.amount_remaining} ${checkout.token.symbol} from my wallet`}
        </button>
      )}
      {connection.address ? (
        <p className="muted">
          Connected: <span className={`${styles.mono} ${styles.address}`}>{connection.address}</span>
        </p>
      ) : null}
      {state.phase === "error" ? (
        <p className={styles.warning} role="alert">
          {state.message}
        </p>
      ) : null}
    </div>
  );
}

function walletErrorMessage(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "ProviderNotFoundError")
      return "No browser wallet found. Install one, or scan the QR code with your wallet app.";
    if (error.name === "UserRejectedRequestError" || /rejected/i.test(error.message))
      return "The request was rejected in your wallet. Nothing was sent.";
    const short = (error as Error & { shortMessage?: unknown }).shortMessage;
    return typeof short === "string"
      ? short
      : error.message.split("\n")[0] || "The wallet reported an error.";
  }
  return "The wallet reported an error.";
}
