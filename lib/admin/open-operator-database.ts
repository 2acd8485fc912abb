import { join, resolve } from "node:path";
import type { TEnv } from "../config/env";
import { startEmbeddedPostgres } from "../runtime/embedded-postgres";
import { resolveDatabaseUrl } from "./resolve-database-url";

export type OperatorDatabase = {
  databaseUrl: string;
  /** How it was found, for the CLI's first line. */
  source: "DATABASE_URL" | "running npm start" | "embedded (started for this command)";
  close(): Promise<void>;
};

/**
 * The database an operator command works on: DATABASE_URL, else the embedded database of the
 * `npm start` running from this folder, else the embedded cluster under $CTRIP_DATA_DIR/postgres,
 * started for the command and stopped after it (initialised when it does not exist yet).
 */
export async function openOperatorDatabase(config: TEnv, cwd = process.cwd()): Promise<OperatorDatabase> {
  if (config.DATABASE_URL)
    return { databaseUrl: config.DATABASE_URL, source: "DATABASE_URL", close: async () => {} };
  try {
    return {
      databaseUrl: resolveDatabaseUrl(config, cwd),
      source: "running npm start",
      close: async () => {},
    };
  } catch {
    // No gateway running here: the cluster is ours to start.
  }
  const postgres = await startEmbeddedPostgres({
    dataDir: join(resolve(cwd, config.CTRIP_DATA_DIR), "postgres"),
    port: config.EMBEDDED_POSTGRES_PORT,
    database: "ctrip",
  });
  return {
    databaseUrl: postgres.databaseUrl,
    source: "embedded (started for this command)",
    close: postgres.stop,
  };
}
