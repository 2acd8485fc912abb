"use client";

import { useEffect, useState } from "react";

/**
 * Whether the browser has a wallet: an injected `window.ethereum`, or one that announces itself
 * through EIP-6963 (asked with `eip6963:requestProvider`). False until mounted, so the server's
 * and the browser's first paint agree; the "Pay with browser wallet" button waits for it.
 */
export function useWalletDetected(): boolean {
  const [detected, setDetected] = useState(false);
  useEffect(() => {
    if ((window as { ethereum?: unknown }).ethereum) setDetected(true);
    const announced = () => setDetected(true);
    window.addEventListener("eip6963:announceProvider", announced);
    window.dispatchEvent(new Event("eip6963:requestProvider"));
    return () => window.removeEventListener("eip6963:announceProvider", announced);
  }, []);
  return detected;
}
