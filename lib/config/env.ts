import { validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { z } from "zod";
import { parseTrustedProxy } from "../http/trusted-proxy";

/**
 * The development mnemonic: Anvil's well-known test seed. Anyone can derive its keys, so it is
 * accepted only while every configured chain is a local devnet (lib/config/production-guards.ts).
 */
export const DEVELOPMENT_MNEMONIC = "test test test test test test test test test test test junk";
/** Development-only secret used when none is configured; refused as soon as a chain is real. */
export const DEVELOPMENT_SECRET = "ctrip-development-secret-do-not-use-in-production";

const ZPort = z.coerce.number().int().min(1).max(65_535);

/** One allowed framing origin: scheme + host (+ port), or a `https://*.` wildcard; no path. */
const ZFrameOrigin = z
  .string()
  .regex(
    /^(https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|https:\/\/\*\.[A-Za-z0-9.-]+)$/,
    "each entry must be an origin such as https://shop.example (no path)",
  );
/** Origins separated by spaces or commas. */
export const ZCheckoutFrameAncestors = z
  .string()
  .transform((value) => value.split(/[\s,]+/).filter(Boolean))
  .pipe(z.array(ZFrameOrigin).max(20));
const ZOptionalUrl = z.url().optional();

/** Proxy addresses or CIDR ranges separated by spaces or commas. */
export const ZTrustedProxies = z.string().transform((value, ctx) => {
  try {
    return value
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(parseTrustedProxy);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

export const ZEnv = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    /** When set, PostgreSQL is external; otherwise `npm start` runs an embedded cluster. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    PORT: ZPort.default(3000),
    /** Interface the app listens on: `npm start` binds 127.0.0.1 unless set (e.g. 0.0.0.0 in a container). */
    HOST: z.string().min(1).optional(),
    /** Public base URL used in checkout links and auth callbacks. */
    PUBLIC_URL: ZOptionalUrl,
    /** Where the embedded runtime keeps PostgreSQL data, the Anvil state and runtime info. */
    CTRIP_DATA_DIR: z.string().min(1).default(".data"),
    EMBEDDED_POSTGRES_PORT: ZPort.default(54329),
    /**
     * Connections each process (app instance, worker) keeps to PostgreSQL at most. N instances + W
     * workers open up to (N + W) × this: keep it under the server's max_connections.
     */
    DATABASE_POOL_SIZE: z.coerce.number().int("must be a whole number").min(1).max(500).default(10),
    /** A query running longer than this is cancelled by PostgreSQL (statement_timeout); 0 = never. */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
      .number()
      .int("must be whole milliseconds")
      .min(0)
      .max(3_600_000)
      .default(60_000),
    /** How long opening a connection may take before the query fails (unreachable host, full server). */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce
      .number()
      .int("must be whole milliseconds")
      .min(100)
      .max(300_000)
      .default(10_000),
    ANVIL_PORT: ZPort.default(8545),
    CHAINS_FILE: z.string().min(1).default("chains.yaml"),
    /** Exchange-rate sources, pegs and the devnet's fixed rates (lib/config/rates.ts). */
    RATES_FILE: z.string().min(1).default("rates.yaml"),
    /** BIP-39 seed of every deposit address, the gas tank and the hot wallets. */
    WALLET_MNEMONIC: z.string().trim().min(1).default(DEVELOPMENT_MNEMONIC),
    /** Signs sessions (next-auth) and derives the webhook-secret encryption key unless one is given. */
    APP_SECRET: z.string().min(32, "must be at least 32 characters").default(DEVELOPMENT_SECRET),
    /** 32-byte key (hex or base64) encrypting webhook secrets at rest; derived from APP_SECRET when unset. */
    ENCRYPTION_KEY: z.string().min(1).optional(),
    INNGEST_EVENT_KEY: z.string().min(1).optional(),
    INNGEST_SIGNING_KEY: z.string().min(1).optional(),
    INNGEST_BASE_URL: ZOptionalUrl,
    /** Inngest dev server mode (`npx inngest-cli@latest dev`): "1" or its URL. */
    INNGEST_DEV: z.string().min(1).optional(),
    /** Sustained requests per second allowed per API key (per app instance), and the burst above it. */
    API_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(100),
    API_RATE_LIMIT_BURST: z.coerce.number().int().positive().default(200),
    /** Per-merchant caps: active webhook endpoints and active API keys. */
    MAX_WEBHOOK_ENDPOINTS_PER_MERCHANT: z.coerce.number().int().positive().default(16),
    MAX_API_KEYS_PER_MERCHANT: z.coerce.number().int().positive().default(50),
    /** Webhook attempts in flight per merchant (of 64 per process), so no tenant takes every slot. */
    WEBHOOK_CONCURRENCY_PER_MERCHANT: z.coerce.number().int().positive().default(16),
    /** No effect any more (webhook targets follow the chains); refused as soon as a chain is real. */
    WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(["0", "1"]).optional(),
    /**
     * Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR ranges, e.g.
     * "127.0.0.1, 10.0.0.0/8"); unset = the header is ignored and the TCP peer is the client.
     */
    TRUSTED_PROXIES: ZTrustedProxies.optional(),
    /** Origins allowed to embed the checkout /pay/{id} in an iframe; unset = nobody. */
    CHECKOUT_FRAME_ANCESTORS: ZCheckoutFrameAncestors.optional(),
    /** When set, `/api/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`; required with a real chain. */
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    /** `npm run worker` serves its own metrics on this port (GET /metrics, same METRICS_TOKEN); unset = none. */
    WORKER_METRICS_PORT: ZPort.optional(),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    /**
     * OpenTelemetry traces are exported with OTLP/HTTP to `<this>/v1/traces` (a collector, Jaeger
     * :4318, Tempo…); unset = tracing off. OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER(_ARG) are
     * read by the SDK itself.
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .optional(),
    /** The `service.name` of the exported spans. */
    OTEL_SERVICE_NAME: z.string().trim().min(1).max(100).default("ctrip-pay"),
    /**
     * How far the app server's V8 heap may grow past what survived the last full garbage
     * collection before the next one, in percent (V8's `--heap-growing-percent`). A small factor
     * keeps the resident memory flat under steady load; 0 leaves V8's adaptive growth (up to 4×).
     */
    NODE_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(300).default(30),
    /**
     * The app server's V8 semi-space, in MiB (V8's `--max-semi-space-size`; the young generation
     * holds up to three). Node's 16 leaves a burst's request objects alive at each scavenge, which
     * then copies and promotes them; 32 halves the scavenges under load (BENCHMARKS.md). 0 leaves V8's.
     */
    NODE_SEMI_SPACE_MB: z.coerce.number().int().min(0).max(256).default(32),
    /**
     * Seconds a loosening money-routing change (new treasury address, settlement mode switch, higher
     * or removed payout limits, higher auto-approval) waits before it takes effect. Default 86400, or
     * 0 when every chain is a local devnet; 0 is refused with a real chain (lib/config/money-routing-delay.ts).
     */
    MONEY_ROUTING_DELAY_SECONDS: z.coerce
      .number()
      .int("must be whole seconds")
      .min(0)
      .max(30 * 86_400, "at most 30 days (2592000)")
      .optional(),
    /**
     * SMTP server the notification emails go through, e.g. smtps://user:password@mail.example:465 or
     * smtp://127.0.0.1:25; unset = notifications appear only in the dashboard.
     */
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" }).optional(),
    /** The From of notification emails. */
    SMTP_FROM: z.string().trim().min(3).max(200).default("cTrip Pay <notifications@localhost>"),
    /** The operator's address: gateway-wide incidents (deep reorgs, gas tank empty) are emailed to it. */
    OPS_EMAIL: z.email("must be an email address").optional(),
    /** "off" disables the in-process job runner (e.g. when a separate `npm run worker` runs the jobs). */
    CTRIP_EMBEDDED_RUNNER: z.enum(["on", "off"]).default("on"),
    /** "1"/"true" opens sign-up, "0"/"false" closes it; unset = open only while every chain is a devnet. */
    SIGN_UP_ENABLED: z.stringbool().optional(),
    /**
     * "1" enables the benchmark's floor routes /api/bench/next and /api/bench/insert (no auth:
     * `npm run bench:api` sets it for the gateway it starts); unset or "0" = they answer 404.
     */
    CTRIP_BENCH_ROUTES: z.stringbool().default(false),
  })
  .superRefine((env, ctx) => {
    // A typo in the seed would derive other addresses: refused here, with the variable named. The
    // production guards (development seed and secret, …) follow the chains: lib/config/production-guards.ts.
    if (!validateMnemonic(env.WALLET_MNEMONIC, wordlist))
      ctx.addIssue({
        code: "custom",
        path: ["WALLET_MNEMONIC"],
        message: "not a valid BIP-39 mnemonic (12 to 24 English words separated by single spaces)",
      });
  });

export type TEnv = z.infer<typeof ZEnv>;
/** A set of environment variables (process.env, or a plain object in tests). */
export type EnvSource = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses environment variables; the error names every offending variable and why. */
export function parseEnv(source: EnvSource = process.env): TEnv {
  // Empty strings (e.g. `FOO=` in a .env file) mean "unset", as in most tools.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = ZEnv.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(env)"}: ${issue.message}`);
  throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}`);
}

let cached: TEnv | undefined;

/** The process environment, parsed once. */
export function env(): TEnv {
  cached ??= parseEnv();
  return cached;
}

/** True when Inngest (cloud, self-hosted or dev server) orchestrates background work. */
export function inngestConfigured(config: TEnv): boolean {
  return Boolean(config.INNGEST_SIGNING_KEY || config.INNGEST_DEV);
}
