import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What a production build of the Next app depends on. */
const BUILD_INPUTS = [
  "app",
  "lib",
  "inngest",
  "instrumentation.ts",
  "next.config.js",
  "tsconfig.json",
  "package-lock.json",
  "chains.yaml",
];
const SKIPPED = new Set(["node_modules", ".next", ".data", ".git"]);

/** True when `distDir` (`.next`, or NEXT_DIST_DIR's) has no build or any build input changed after it. */
export function needsBuild(root: string, distDir = ".next"): boolean {
  const buildId = join(root, distDir, "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  return BUILD_INPUTS.some((input) => newestMtime(join(root, input)) > builtAt);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (SKIPPED.has(entry) || entry.endsWith(".test.ts")) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}
