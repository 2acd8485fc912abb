// TanStack Query key and options of the public checkout status (STYLE.md: one key factory and one
// options factory per resource). Client-safe.
import { queryOptions } from "@tanstack/react-query";
import { isFinalCheckoutStatus, type TCheckoutObject, ZCheckoutObject } from "./checkout-object";

export const CHECKOUT_POLL_MS = 2_000;
/** An expired payment can still receive a late transfer; it is polled, just less often. */
export const EXPIRED_POLL_MS = 15_000;

export function checkoutQueryKey(id: string) {
  return ["checkout", id] as const;
}

export class CheckoutFetchError extends Error {
  override name = "CheckoutFetchError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchCheckout(id: string, signal?: AbortSignal): Promise<TCheckoutObject> {
  const response = await fetch(`/api/checkout/${encodeURIComponent(id)}`, {
    signal,
    cache: "no-store",
    headers: { accept: "application/json" },
  });
  if (!response.ok)
    throw new CheckoutFetchError(response.status, `status endpoint answered ${response.status}`);
  return ZCheckoutObject.parse(await response.json());
}

export function checkoutQueryOptions(id: string, initialData?: TCheckoutObject) {
  return queryOptions({
    queryKey: checkoutQueryKey(id),
    queryFn: ({ signal }) => fetchCheckout(id, signal),
    initialData,
    // The server-rendered projection is fresh on first paint; the first poll follows one interval later.
    initialDataUpdatedAt: initialData ? Date.now() : undefined,
    staleTime: CHECKOUT_POLL_MS / 2,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      if (!status) return CHECKOUT_POLL_MS;
      if (isFinalCheckoutStatus(status)) return false;
      return status === "expired" ? EXPIRED_POLL_MS : CHECKOUT_POLL_MS;
    },
    refetchIntervalInBackground: false,
    retry: (failureCount, error) =>
      !(error instanceof CheckoutFetchError && error.status === 404) && failureCount < 3,
  });
}
