import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { probeJsonRpc } from "./json-rpc";

export type AnvilOptions = {
  port: number;
  chainId?: number;
  /** Seconds between blocks; omit for instant (auto) mining. */
  blockTime?: number;
  /** Anvil state file: loaded on start when present and written on exit and periodically. */
  stateFile?: string;
  /** EVM hardfork, e.g. "berlin" for a chain without EIP-1559 (legacy gas prices only). */
  hardfork?: string;
  onLog?: (line: string) => void;
};

export type RunningAnvil = {
  rpcUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
};

/** Path to the Anvil binary shipped in the platform package of `@foundry-rs/anvil`. */
export function anvilBinaryPath(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${pkg}/package.json`);
  return join(dirname(packageJson), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

export async function startAnvil(options: AnvilOptions): Promise<RunningAnvil> {
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--chain-id",
    String(options.chainId ?? 31337),
  ];
  if (options.blockTime) args.push("--block-time", String(options.blockTime));
  if (options.stateFile) args.push("--state", options.stateFile, "--state-interval", "10");
  if (options.hardfork) args.push("--hardfork", options.hardfork);

  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const log = options.onLog ?? (() => {});
  let output = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    if (output.length < 10_000) output += text;
    for (const line of text.split("\n")) if (line.trim()) log(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const rpcUrl = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!(await isRpcListening(rpcUrl))) {
    const early = await Promise.race([exited, sleep(100).then(() => "running" as const)]);
    if (early !== "running")
      throw new Error(`anvil exited with code ${early} before listening on ${rpcUrl}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`anvil did not answer on ${rpcUrl} within 30 s:\n${output}`);
    }
  }

  return {
    rpcUrl,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT lets anvil write its state file before exiting.
      child.kill("SIGINT");
      const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!stopped) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** True when an Ethereum JSON-RPC node answers `eth_chainId` at `rpcUrl`. */
export async function isRpcListening(rpcUrl: string): Promise<boolean> {
  return (await probeJsonRpc(rpcUrl, "eth_chainId")) !== undefined;
}

/** True when the node at `rpcUrl` is an Anvil devnet (safe to place code and mint on). */
export async function isAnvil(rpcUrl: string): Promise<boolean> {
  const version = await probeJsonRpc(rpcUrl, "web3_clientVersion", 2_000);
  return typeof version === "string" && version.toLowerCase().startsWith("anvil");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
