// Structured logs with pino: one JSON object per line on stderr (stdout stays clean for CLI
// output); human-readable (pino-pretty, in-process, no worker thread) only when a person runs the
// server in a terminal outside production. Secrets are removed by configuration (`REDACT_PATHS`)
// before a line is written, whatever a call site passes.
import pino from "pino";
import pinoPretty from "pino-pretty";
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

const SECRET_KEYS = [
  "apiKey",
  "privateKey",
  "private_key",
  "secret",
  "webhookSecret",
  "signingSecret",
  "mnemonic",
  "WALLET_MNEMONIC",
  "password",
  "passwordHash",
  "authorization",
  "cookie",
  "set-cookie",
  "Authorization",
  "Cookie",
];
/** Secret-bearing fields at the top level, one and two levels down, and in request/response headers. */
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  ...SECRET_KEYS.map((k) => `*.headers.${k}`),
  ...SECRET_KEYS.map((k) => `headers["${k}"]`),
];

/** Extra fields merged into every line (the active trace id, see lib/observability). */
let mixin: () => LogFields = () => ({});
export function setLogMixin(next: () => LogFields): void {
  mixin = next;
}

export function createLogger(
  base: LogFields = {},
  options: { level?: LogLevel; write?: (line: string) => void; pretty?: boolean } = {},
): Logger {
  const write = options.write;
  const destination = write
    ? { write: (line: string) => write(line.replace(/\n$/, "")) }
    : (options.pretty ?? wantsPretty())
      ? prettyStream()
      : pino.destination({ fd: 2, sync: true });
  const root = pino(
    {
      level: options.level ?? safeLevel(),
      messageKey: "message",
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      mixin: () => mixin(),
      hooks: { streamWrite: redactUrlPasswords },
    },
    destination,
  );
  return wrap(base ? root.child(serialize(base)) : root);
}

function wrap(inner: pino.Logger): Logger {
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) =>
      inner[level](serialize(fields), message);
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => wrap(inner.child(serialize(fields))),
  };
}

/**
 * A child of `base` whose lines carry `bound` (a request's or job's ids). Unlike `child`, each call
 * goes through `base`'s own methods at the time of the call, so whatever observes `base` sees it.
 */
export function withFields(base: Logger, bound: LogFields): Logger {
  const log = (level: LogLevel) => (message: string, fields?: LogFields) =>
    base[level](message, fields ? { ...bound, ...fields } : bound);
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => withFields(base, { ...bound, ...fields }),
  };
}

/** `scheme://user:password@host` anywhere in a line → the password replaced. */
export function redactUrlPasswords(line: string): string {
  return line.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+):[^@/\s"]+@/gi, "$1:[redacted]@");
}

function wantsPretty(): boolean {
  return Boolean(process.stdout.isTTY) && process.env.NODE_ENV !== "production" && !process.env.VITEST;
}

function prettyStream(): pino.DestinationStream {
  // An in-process stream (no transport worker thread) keeps Next's server bundling out of it.
  return pinoPretty({ destination: 2, sync: true, messageKey: "message", colorize: true });
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
