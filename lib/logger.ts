// Structured logs: one JSON object per line on stderr (stdout stays clean for CLI output).
import { BaseError } from "viem";
import { shortMessage } from "./chains/rpc-error";
import { env } from "./config/env";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type Logger = {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
};

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  base: LogFields = {},
  options: { level?: LogLevel; write?: (line: string) => void } = {},
): Logger {
  const threshold = RANK[options.level ?? safeLevel()];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (RANK[level] < threshold) return;
      write(
        JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...serialize(fields) }),
      );
    };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => createLogger({ ...base, ...fields }, options),
  };
}

function safeLevel(): LogLevel {
  try {
    return env().LOG_LEVEL;
  } catch {
    return "info";
  }
}

// Errors do not survive JSON.stringify; bigints would make it throw.
function serialize(fields: LogFields): LogFields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => {
      // A chain client's (viem's) message and stack carry the RPC URL, which may hold a provider
      // key, and the request body: only what failed and why, and the stack's frames.
      if (value instanceof BaseError)
        return [
          key,
          {
            name: value.name,
            message: shortMessage(value),
            stack: value.stack?.replace(/^[\s\S]*?(?=\n\s+at )/, ""),
          },
        ];
      if (value instanceof Error)
        return [key, { name: value.name, message: value.message, stack: value.stack }];
      if (typeof value === "bigint") return [key, value.toString()];
      return [key, value];
    }),
  );
}

export const logger = createLogger();
