import { BaseError as ViemError } from "viem";
import { AppError } from "../errors";

/** Seconds a client is asked to wait after a chain node failed to answer. */
export const CHAIN_RETRY_AFTER_SECONDS = 5;

/**
 * A failed chain read (RPC node down or timing out, a token address without a contract) is an
 * upstream outage, not a bug in the request or in our code: 503 with Retry-After, never a 500. The
 * node's own message stays in the log; the client is told nothing about our RPC endpoints.
 */
export function upstreamAppError(error: unknown): AppError | undefined {
  if (!(error instanceof ViemError)) return undefined;
  return new AppError("service_unavailable", "A blockchain node did not answer as expected; retry later.", {
    headers: { "retry-after": String(CHAIN_RETRY_AFTER_SECONDS) },
    cause: error,
  });
}
