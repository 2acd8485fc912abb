import { BaseError as ViemError } from "viem";
import { AppError } from "../errors";

/** Seconds a client is asked to wait after a chain node or the database failed to answer. */
export const UPSTREAM_RETRY_AFTER_SECONDS = 5;

/**
 * Prisma's codes for "the database cannot be reached right now": can't reach (P1001), timed out
 * (P1002, P1008), connection closed (P1017), no connection from the pool in time (P2024).
 */
const DATABASE_UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || !error.name.startsWith("PrismaClient")) return false;
  const { code, errorCode } = error as Error & { code?: unknown; errorCode?: unknown };
  return DATABASE_UNAVAILABLE_CODES.has(String(code ?? errorCode));
}

/**
 * An upstream outage is not a bug in the request or in our code: 503 with Retry-After, never a 500.
 * - a failed chain read (RPC node down or timing out, a token address without a contract);
 * - the database unreachable (restarting, network cut).
 * The underlying message stays in the log; the client learns nothing about our RPC or database.
 */
export function upstreamAppError(error: unknown): AppError | undefined {
  const headers = { "retry-after": String(UPSTREAM_RETRY_AFTER_SECONDS) };
  if (error instanceof ViemError)
    return new AppError("service_unavailable", "A blockchain node did not answer as expected; retry later.", {
      headers,
      cause: error,
    });
  if (isDatabaseUnavailable(error))
    return new AppError("service_unavailable", "The database is unavailable; retry later.", {
      headers,
      cause: error,
    });
  return undefined;
}
