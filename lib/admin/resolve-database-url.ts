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
  const file = join(resolve(cwd, config.CTRIP_DATA_DIR), "runtime.json");
  if (existsSync(file)) {
    const info = ZRuntimeInfo.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (info.success && isAlive(info.data.pid)) return info.data.databaseUrl;
  }
  throw new Error(
    "No database: set DATABASE_URL, or run `npm start` in this folder first (it runs the embedded database).",
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
