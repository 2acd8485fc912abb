import { BaseError as ViemError } from "viem";
import { AppError } from "../errors";

/** Seconds a client is asked to wait after a chain node or the database failed to answer. */
export const UPSTREAM_RETRY_AFTER_SECONDS = 5;

/**
 * Prisma's codes for "the database cannot be reached right now": can't reach (P1001), timed out
 * (P1002, P1008), connection closed (P1017), no connection from the pool in time (P2024), and an
 * interactive transaction not started or not finished in its time (P2028: "Unable to start a
 * transaction in the given time", "Transaction already closed") — an overloaded database, not a bug.
 */
const DATABASE_UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);

/** The driver adapter's kinds of the same thing (Prisma 7 with @prisma/adapter-pg). */
const DRIVER_UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
/**
 * PostgreSQL SQLSTATEs of a server going away or not accepting work yet: admin/crash shutdown and
 * "the database system is starting up / shutting down" (57P01–57P03), connection exceptions (08…),
 * too many connections (53300). A restart or failover produces them on queries in flight.
 */
const POSTGRES_UNAVAILABLE_STATE = /^(57P0[1-3]|08[0-9A-Z]{3}|53300)$/;

/**
 * node-postgres's own errors when a connection drops mid-query, or is used again after it dropped
 * (an interactive transaction's connection), which Prisma passes through.
 */
const PG_CONNECTION_LOST =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect)$/;
/** The socket errors of a server that is down or unreachable (the raw pool of the hot path sees them unwrapped). */
const SOCKET_UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
]);

type AdapterCause = { kind?: unknown; code?: unknown };

function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name.startsWith("PrismaClient")) {
    const { code, errorCode, meta } = error as Error & {
      code?: unknown;
      errorCode?: unknown;
      meta?: unknown;
    };
    if (DATABASE_UNAVAILABLE_CODES.has(String(code ?? errorCode))) return true;
    return isUnavailableCause(
      (meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined)?.driverAdapterError?.cause,
    );
  }
  // Inside an interactive transaction the driver adapter's error can arrive unwrapped.
  if (error.name === "DriverAdapterError") return isUnavailableCause(error.cause as AdapterCause | undefined);
  if (PG_CONNECTION_LOST.test(error.message)) return true;
  if (SOCKET_UNAVAILABLE_CODES.has(String((error as Error & { code?: unknown }).code))) return true;
  // A node-postgres DatabaseError (it carries the server's severity) of the classes above.
  const { code, severity } = error as Error & { code?: unknown; severity?: unknown };
  return typeof severity === "string" && POSTGRES_UNAVAILABLE_STATE.test(String(code));
}

function isUnavailableCause(cause: AdapterCause | undefined): boolean {
  if (!cause) return false;
  if (DRIVER_UNAVAILABLE_KINDS.has(String(cause.kind))) return true;
  return cause.kind === "postgres" && POSTGRES_UNAVAILABLE_STATE.test(String(cause.code));
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
