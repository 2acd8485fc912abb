import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { probeJsonRpc } from "./json-rpc";

export type AnvilOptions = {
  port: number;
  chainId?: number;
  /** Seconds between blocks; omit for instant (auto) mining. */
  blockTime?: number;
  /**
   * Anvil state file: loaded on start when present, written every second and on exit (a power loss
   * loses at most about a second of devnet blocks, which the scanner's reorg handling takes back).
   */
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
  const stateFile = options.stateFile;
  if (stateFile) {
    recoverStateFile(stateFile, options.onLog);
    args.push("--state", stateFile, "--state-interval", "1");
  }
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

  // The fallback copy follows the devnet, so a torn dump loses seconds, not the whole session.
  const backups = stateFile ? setInterval(() => refreshStateBackup(stateFile), 10_000) : undefined;
  backups?.unref();
  void exited.then(() => clearInterval(backups));
  return {
    rpcUrl,
    process: child,
    async stop() {
      clearInterval(backups);
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

/**
 * Never start Anvil on a half-written state file (a power loss during a dump): a state file that is
 * not whole JSON is moved aside (`.corrupt`) and the copy kept from the last start that loaded
 * (`.bak`) takes its place; a good one is copied to `.bak` for next time.
 */
export function recoverStateFile(stateFile: string, log: (line: string) => void = () => {}): void {
  if (!existsSync(stateFile) || refreshStateBackup(stateFile)) return;
  const backup = `${stateFile}.bak`;
  const aside = `${stateFile}.corrupt-${Date.now()}`;
  renameSync(stateFile, aside);
  if (existsSync(backup) && isWholeState(backup)) {
    copyFileSync(backup, stateFile);
    log(
      `anvil state file ${stateFile} was incomplete (moved to ${aside}); restarted from the previous start's copy`,
    );
  } else
    log(
      `anvil state file ${stateFile} was incomplete (moved to ${aside}) and no copy exists: a fresh devnet starts`,
    );
}

/** Copies a whole state file to its `.bak`; false (and nothing copied) when it is not whole. */
function refreshStateBackup(stateFile: string): boolean {
  if (!isWholeState(stateFile)) return false;
  copyFileSync(stateFile, `${stateFile}.bak`);
  return true;
}

function isWholeState(file: string): boolean {
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return typeof state === "object" && state !== null && "accounts" in state;
  } catch {
    return false;
  }
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
