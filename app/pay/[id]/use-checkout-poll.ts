"use client";

import { useEffect, useState } from "react";
import type { TCheckoutObject } from "@/lib/checkout/checkout-object";
import { type CheckoutPollState, fetchCheckout, startCheckoutPoll } from "@/lib/checkout/checkout-poll";

/**
 * The checkout's live state, starting from the server-rendered projection: polled while the tab is
 * visible, at once when it shows again or the network comes back.
 */
export function useCheckoutPoll(initial: TCheckoutObject): CheckoutPollState {
  const [state, setState] = useState<CheckoutPollState>(() => ({
    checkout: initial,
    updatedAt: Date.now(),
    unavailable: false,
  }));
  useEffect(() => {
    const poll = startCheckoutPoll({
      initial,
      load: (signal) => fetchCheckout(initial.id, signal),
      onChange: setState,
      hidden: () => document.visibilityState === "hidden",
    });
    const wake = () => {
      if (document.visibilityState !== "hidden") poll.wake();
    };
    document.addEventListener("visibilitychange", wake);
    window.addEventListener("online", wake);
    return () => {
      document.removeEventListener("visibilitychange", wake);
      window.removeEventListener("online", wake);
      poll.stop();
    };
  }, [initial]);
  return state;
}
