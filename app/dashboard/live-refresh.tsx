"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useTransition } from "react";

/**
 * Re-renders the page's server components every `intervalMs` while the tab is visible, so statuses
 * (payments confirming, deliveries retried) update without a reload. A refresh still in flight is
 * not stacked with another (a slow server never sees back-to-back requests). router.refresh keeps
 * client state: typed filter values and open disclosures stay as they are.
 */
export function LiveRefresh({ intervalMs = 8_000 }: { intervalMs?: number }) {
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const inFlight = useRef(false);
  inFlight.current = refreshing;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== "visible" || inFlight.current) return;
      startTransition(() => router.refresh());
    }, intervalMs);
    return () => clearInterval(timer);
  }, [router, intervalMs]);
  return null;
}
