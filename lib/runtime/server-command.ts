import { join } from "node:path";
import type { TEnv } from "../config/env";

/**
 * The command running Next (`next start` or `next dev`): this Node binary with the V8 flags the
 * config asks for (they cannot go through NODE_OPTIONS), then Next's own CLI.
 */
export function nextServerCommand(
  root: string,
  config: Pick<TEnv, "NODE_HEAP_GROWTH_PERCENT" | "NODE_SEMI_SPACE_MB">,
  args: string[],
): { command: string; args: string[] } {
  const v8Flags = [
    ...(config.NODE_HEAP_GROWTH_PERCENT > 0
      ? [`--heap-growing-percent=${config.NODE_HEAP_GROWTH_PERCENT}`]
      : []),
    ...(config.NODE_SEMI_SPACE_MB > 0 ? [`--max-semi-space-size=${config.NODE_SEMI_SPACE_MB}`] : []),
  ];
  return {
    command: process.execPath,
    args: [...v8Flags, join(root, "node_modules", "next", "dist", "bin", "next"), ...args],
  };
}

/**
 * Next's CLI arguments for `npm start` / `npm run dev`: on loopback unless HOST names an interface
 * (`next start` alone would listen on all of them).
 */
export function nextServerArgs(config: Pick<TEnv, "PORT" | "HOST">, mode: "start" | "dev"): string[] {
  return [mode, "--port", String(config.PORT), "--hostname", config.HOST ?? "127.0.0.1"];
}
