// Production guards (DESIGN.md, Runtime modes): the chains decide, not DATABASE_URL, NODE_ENV or how
// the gateway was started. While every configured chain is a local devnet the development
// allowances hold (public seed and secret, private webhook targets, the Inngest dev server, public
// metrics, open sign-up); one real chain switches every guard on, in every process.
import type { TChain } from "./chains";
import { isDevnetOnly, isLocalDevnet } from "./devnet";
import { ConfigError, DEVELOPMENT_MNEMONIC, DEVELOPMENT_SECRET, type TEnv } from "./env";
import { DEFAULT_MONEY_ROUTING_DELAY_SECONDS } from "./money-routing-delay";

/**
 * The process being started: the app server (`npm start`, `next start`) serves the metrics, so it
 * needs METRICS_TOKEN, and so does a worker serving its own (WORKER_METRICS_PORT); the worker and
 * the admin CLI hold the seed and the secrets like it does.
 */
export type GuardedProcess = "server" | "worker" | "admin";

type GuardedEnv = Pick<
  TEnv,
  "WALLET_MNEMONIC" | "APP_SECRET" | "WEBHOOK_ALLOW_PRIVATE_TARGETS" | "INNGEST_DEV" | "METRICS_TOKEN"
> &
  Partial<Pick<TEnv, "MONEY_ROUTING_DELAY_SECONDS" | "WORKER_METRICS_PORT">>;
type GuardedChain = Pick<TChain, "name" | "chainId" | "rpcUrls">;

/** One line per problem (`VARIABLE: what is wrong and what to do`); empty on a devnet-only config. */
export function productionGuardProblems(
  config: GuardedEnv,
  chains: readonly GuardedChain[],
  role: GuardedProcess = "server",
): string[] {
  if (isDevnetOnly(chains)) return [];
  const problems: string[] = [];
  if (config.WALLET_MNEMONIC === DEVELOPMENT_MNEMONIC)
    problems.push(
      "WALLET_MNEMONIC: the development mnemonic is public (anyone can take the deposits); set your own BIP-39 seed",
    );
  if (config.APP_SECRET === DEVELOPMENT_SECRET)
    problems.push(
      "APP_SECRET: the default secret is public (sessions could be forged); set a random value of 32+ characters",
    );
  if (config.WEBHOOK_ALLOW_PRIVATE_TARGETS === "1")
    problems.push(
      "WEBHOOK_ALLOW_PRIVATE_TARGETS=1: private webhook targets are a devnet-only allowance; unset it",
    );
  if (config.INNGEST_DEV)
    problems.push(
      "INNGEST_DEV: the Inngest dev server checks no signature; unset it and set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY",
    );
  if (config.MONEY_ROUTING_DELAY_SECONDS === 0)
    problems.push(
      `MONEY_ROUTING_DELAY_SECONDS=0: a stolen key or session could redirect funds at once; unset it (default ${DEFAULT_MONEY_ROUTING_DELAY_SECONDS} s) or set a delay`,
    );
  if (role === "server" && !config.METRICS_TOKEN)
    problems.push("METRICS_TOKEN: required, or /api/metrics is public; set a random value of 16+ characters");
  if (role === "worker" && config.WORKER_METRICS_PORT !== undefined && !config.METRICS_TOKEN)
    problems.push(
      "METRICS_TOKEN: required with WORKER_METRICS_PORT, or the worker's /metrics is public; set a random value of 16+ characters",
    );
  return problems;
}

/**
 * Throws a ConfigError naming the real chains and every problem, one line each, when a chain is not
 * a local devnet and the configuration still uses a development allowance. Call it before anything
 * listens, starts a database or a node, or touches money.
 */
export function assertProductionGuards(
  config: GuardedEnv,
  chains: readonly GuardedChain[],
  role: GuardedProcess = "server",
): void {
  const problems = productionGuardProblems(config, chains, role);
  if (problems.length === 0) return;
  const real = chains
    .filter((chain) => !isLocalDevnet(chain))
    .map((chain) => `${chain.name} (chain id ${chain.chainId})`)
    .join(", ");
  throw new ConfigError(
    `Refusing to start: ${real} ${real.includes(",") ? "are" : "is"} not a local devnet, so the production guards apply:\n${problems
      .map((problem) => `  ${problem}`)
      .join("\n")}`,
  );
}

/** Sign-up: SIGN_UP_ENABLED when set, else open while every chain is a local devnet. */
export function signUpEnabled(
  config: Pick<TEnv, "SIGN_UP_ENABLED">,
  chains: readonly Pick<TChain, "chainId" | "rpcUrls">[],
): boolean {
  return config.SIGN_UP_ENABLED ?? isDevnetOnly(chains);
}
