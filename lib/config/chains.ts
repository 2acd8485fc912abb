import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { ZFeeModel, ZTransactionPolicy } from "./chain-fees";
import { parseYamlConfig, readConfigFile, validateConfig } from "./config-file";
import { ConfigError, type EnvSource, env } from "./env";

const ZAddress = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "must be a 0x-prefixed 20-byte hex address")
  .transform((value) => getAddress(value));

const ZDecimals = z.number().int().min(0).max(36);

export const ZToken = z.strictObject({
  symbol: z.string().regex(/^[A-Za-z0-9.]{1,16}$/, "1–16 letters, digits or dots"),
  address: ZAddress,
  decimals: ZDecimals,
  /** Smallest balance worth sweeping, in base units (dust below it stays until it adds up). */
  minSweep: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).optional(),
});

export const ZChain = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "lowercase letters, digits and dashes (API id)"),
    chainId: z.number().int().positive(),
    rpcUrls: z.array(z.url({ protocol: /^(https?|wss?)$/ })).min(1),
    confirmations: z.number().int().min(1).max(1_000),
    /**
     * Optional: a transfer is confirmed only once its block is also at or below the node's `safe`
     * or `finalized` block (real finality before settling), besides the confirmations.
     */
    finality: z.enum(["safe", "finalized"]).optional(),
    /** Seconds per block, sets the watcher's polling cadence. */
    blockTime: z.number().positive().max(600),
    nativeCurrency: z.strictObject({ symbol: z.string().min(1).max(16), decimals: ZDecimals.default(18) }),
    explorerUrl: z.url().nullable().default(null),
    /** Largest block range for one eth_getLogs call (provider limits). */
    maxBlockRange: z.number().int().positive().max(100_000).default(2_000),
    /**
     * Multicall3 for the native balance check: unset = look for it at its canonical address, an
     * address = use that one, null = none (batched eth_getBalance instead).
     */
    multicall3: ZAddress.nullable().optional(),
    /** Blocks between two balance checks of open native deposit addresses (ETH sent by contracts). */
    balanceCheckBlocks: z.number().int().positive().max(100_000).default(10),
    tokens: z.array(ZToken).default([]),
    /** How the chain charges fees (lib/transactions/fees); detected from the node when omitted. */
    feeModel: ZFeeModel.optional(),
    /** Stuck timeout, fee bump, replacements and fee ceilings of outgoing transactions. */
    transactions: ZTransactionPolicy.optional(),
  })
  .superRefine((chain, ctx) => {
    const seen = new Set<string>();
    chain.tokens.forEach((token, index) => {
      const key = token.symbol.toUpperCase();
      if (key === chain.nativeCurrency.symbol.toUpperCase() || seen.has(key))
        ctx.addIssue({
          code: "custom",
          path: ["tokens", index, "symbol"],
          message: `duplicate symbol ${token.symbol}`,
        });
      seen.add(key);
    });
  });

export const ZChainsConfig = z
  .strictObject({ chains: z.array(ZChain).min(1, "list at least one chain") })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    const ids = new Set<number>();
    config.chains.forEach((chain, index) => {
      if (names.has(chain.name))
        ctx.addIssue({
          code: "custom",
          path: ["chains", index, "name"],
          message: `duplicate chain ${chain.name}`,
        });
      if (ids.has(chain.chainId))
        ctx.addIssue({
          code: "custom",
          path: ["chains", index, "chainId"],
          message: `duplicate chainId ${chain.chainId}`,
        });
      names.add(chain.name);
      ids.add(chain.chainId);
    });
  });

export type TChain = z.infer<typeof ZChain>;
export type TToken = z.infer<typeof ZToken>;
export type TChainsConfig = z.infer<typeof ZChainsConfig>;

/**
 * Replaces `${VAR}` and `${VAR:-default}` so RPC URLs can carry provider keys from the environment.
 * An unset variable without a default is an error naming it.
 */
export function interpolateEnv(text: string, source: EnvSource, file: string): string {
  return text.replace(
    /\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback?: string) => {
      const value = source[name];
      if (value !== undefined && value !== "") return value;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${file}: environment variable ${name} is referenced but not set`);
    },
  );
}

/** Parses chains.yaml text; errors name the file, the path inside it and the reason. */
export function parseChainsConfig(text: string, file: string, source: EnvSource = process.env) {
  // Interpolated after parsing, so comments may mention `${VAR}` and values need no YAML quoting.
  return validateConfig(ZChainsConfig, interpolateValues(parseYamlConfig(text, file), source, file), file);
}

export function loadChainsConfig(file: string, source: EnvSource = process.env): TChainsConfig {
  const { path, text } = readConfigFile(file, "chains file");
  return parseChainsConfig(text, path, source);
}

function interpolateValues(value: unknown, source: EnvSource, file: string): unknown {
  if (typeof value === "string") return interpolateEnv(value, source, file);
  if (Array.isArray(value)) return value.map((item) => interpolateValues(item, source, file));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateValues(item, source, file)]),
    );
  return value;
}

let cachedChains: TChain[] | undefined;

/** The chains of `CHAINS_FILE`, loaded and validated once per process. */
export function configuredChains(): TChain[] {
  cachedChains ??= loadChainsConfig(env().CHAINS_FILE).chains;
  return cachedChains;
}
