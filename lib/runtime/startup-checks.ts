import { statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import pg from "pg";
import { ConfigError } from "../config/env";

/**
 * A start-up failure the operator can fix: the message is one line saying what is wrong and what to
 * do. `npm start`, the app server and the worker print it alone (no stack trace) and exit non-zero.
 */
export class StartupError extends Error {
  override name = "StartupError";
}

/** The line to print for a failed start: the message of a known failure, the first line of any other. */
export function startupFailureMessage(error: unknown): string {
  if (error instanceof StartupError || error instanceof ConfigError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
  return `could not start: ${firstLine.trim()}`;
}

/** Resolves once nothing listens on `host:port`; a StartupError naming the variable otherwise. */
export async function assertPortFree(port: number, host: string, variable: string): Promise<void> {
  const server = createServer();
  const inUse = await new Promise<NodeJS.ErrnoException | null>((resolveListen) => {
    server.once("error", (error: NodeJS.ErrnoException) => resolveListen(error));
    server.listen(port, host, () => resolveListen(null));
  });
  if (!inUse) {
    await new Promise((resolveClose) => server.close(resolveClose));
    return;
  }
  if (inUse.code === "EADDRINUSE")
    throw new StartupError(
      `port ${port} on ${host} is already in use (another cTrip Pay or another program): stop it, or set ${variable} to a free port`,
    );
  throw new StartupError(
    `cannot listen on ${host}:${port} (${inUse.code ?? inUse.message}): set ${variable}/HOST`,
  );
}

/**
 * The first folder on the way to `path` (itself included) that a user who is neither its owner nor
 * in its group cannot enter, e.g. a 0700 home directory or a `mktemp -d` folder; null when every
 * folder can be traversed. `uid` is a user who may own folders on the way (the postgres user).
 */
export function untraversableFolder(path: string, uid?: number): string | null {
  const folders: string[] = [];
  for (let folder = resolve(path); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of folders) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(folder);
    } catch {
      return null; // not created yet: the folders below are created by us, traversable
    }
    if (!stats.isDirectory()) continue;
    const othersMayEnter = (stats.mode & 0o001) !== 0;
    const ownerMayEnter = uid !== undefined && stats.uid === uid && (stats.mode & 0o100) !== 0;
    if (!othersMayEnter && !ownerMayEnter) return folder;
  }
  return null;
}

/** A database URL without its password, for messages. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

/**
 * Connects once to `databaseUrl` (giving up after `timeoutMs`) and runs `SELECT 1`; a StartupError
 * saying why it failed and what to check otherwise.
 */
export async function assertDatabaseReachable(databaseUrl: string, timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  // A connection that fails after being established would otherwise be an unhandled 'error' event.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    // A system error's code (ECONNREFUSED, ENOTFOUND) says it best; PostgreSQL's own say it in words.
    const code = (error as { code?: unknown }).code;
    const reason =
      typeof code === "string" && /^E[A-Z]+$/.test(code)
        ? code
        : error instanceof Error
          ? error.message
          : String(error);
    throw new StartupError(
      `cannot reach PostgreSQL at ${redactDatabaseUrl(databaseUrl)} (${reason}): start it, or fix DATABASE_URL (host, port, user, password, database)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
