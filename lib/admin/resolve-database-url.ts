import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { TEnv } from "../config/env";

const ZRuntimeInfo = z.object({ pid: z.number().int(), databaseUrl: z.string() });

/**
 * The database an operator command should use: DATABASE_URL, else the embedded database of the
 * `npm start` running from this folder (it writes `<data dir>/runtime.json` while it runs).
 */
export function resolveDatabaseUrl(config: TEnv, cwd = process.cwd()): string {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const running = runningInstance(config, cwd);
  if (running) return running.databaseUrl;
  throw new Error(
    "No database: set DATABASE_URL, or run `npm start` in this folder first (it runs the embedded database).",
  );
}

/**
 * The `npm start` running from this folder's data directory (its runtime.json, written while it
 * runs, names its process and database), or null: a second instance or a worker started here
 * joins its database without DATABASE_URL.
 */
export function runningInstance(
  config: Pick<TEnv, "CTRIP_DATA_DIR">,
  cwd = process.cwd(),
): { pid: number; databaseUrl: string } | null {
  const file = join(resolve(cwd, config.CTRIP_DATA_DIR), "runtime.json");
  if (!existsSync(file)) return null;
  try {
    const info = ZRuntimeInfo.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return info.success && isAlive(info.data.pid) ? info.data : null;
  } catch {
    return null; // being written, or damaged: as if nothing ran
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
