// The real `npm start` as an operator runs it, in its own process group (a terminal job), for tests
// that start whole gateways: readiness through /api/health, Ctrl-C to the group to stop it, SIGKILL
// to the group for a power loss.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export type GatewayProcess = {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves with the exit code once every process holding npm start's output is gone. */
  exited: Promise<number | null>;
  output(): string;
  /** Resolves once /api/health answers 200; fails at once if npm start exits. */
  waitUntilHealthy(timeoutMs: number): Promise<void>;
  /** Resolves with the local chain's head once it exceeds `min`; fails at once if npm start exits. */
  waitForHeadAbove(min: number, timeoutMs: number): Promise<number>;
  /** Ctrl-C to the whole group; resolves with the exit code once every process is gone. */
  stop(): Promise<number | null>;
  /** SIGKILL to the group (a power loss, or test clean-up). */
  kill(): void;
};

export type GatewayPorts = { app: number; anvil: number; postgres: number };

/** The environment of an embedded-default gateway on these ports with its data in `dataDir`. */
export function embeddedGatewayEnv(dataDir: string, ports: GatewayPorts): Record<string, string> {
  return {
    PORT: String(ports.app),
    ANVIL_PORT: String(ports.anvil),
    EMBEDDED_POSTGRES_PORT: String(ports.postgres),
    CTRIP_DATA_DIR: dataDir,
  };
}

/** Starts `npm start` with the inherited environment minus Inngest and DATABASE_URL, plus `env`. */
export function startGatewayProcess(env: Record<string, string>): GatewayProcess {
  const { DATABASE_URL: _db, INNGEST_DEV: _dev, INNGEST_SIGNING_KEY: _key, ...inherited } = process.env;
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    detached: true,
    env: { ...inherited, HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  // "close", not "exit": npm may exit before start.ts has stopped its children.
  const exited = new Promise<number | null>((resolveClose) =>
    child.once("close", (code) => resolveClose(code)),
  );
  const baseUrl = `http://127.0.0.1:${env.PORT ?? "3000"}`;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid) killGroup(child.pid, signal);
  };
  /** Polls `probe` until it returns a value; fails at once if npm start exits. */
  const waitFor = async <T>(probe: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      const value = await probe();
      if (value !== null) return value;
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
    throw new Error(`${what} within ${timeoutMs} ms:\n${output}`);
  };
  return {
    child,
    baseUrl,
    exited,
    output: () => output,
    async waitUntilHealthy(timeoutMs) {
      await waitFor(
        () =>
          fetch(`${baseUrl}/api/health`).then(
            (response) => (response.status === 200 ? true : null),
            () => null,
          ),
        timeoutMs,
        `${baseUrl} was not healthy`,
      );
    },
    waitForHeadAbove(min, timeoutMs) {
      return waitFor(
        async () => {
          const head = await localHead(baseUrl);
          return head > min ? head : null;
        },
        timeoutMs,
        `the local head did not pass ${min}`,
      );
    },
    stop() {
      signalGroup("SIGINT");
      return exited;
    },
    kill: () => signalGroup("SIGKILL"),
  };
}

async function localHead(baseUrl: string): Promise<number> {
  try {
    const health = (await (await fetch(`${baseUrl}/api/health`)).json()) as {
      chains: { name: string; head_block: string | null }[];
    };
    return Number(health.chains.find((chain) => chain.name === "local")?.head_block ?? -1);
  } catch {
    return -1;
  }
}

export function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Processes whose command line mentions `dir` (the embedded postgres and anvil of a data folder). */
export function processesUsing(dir: string): string[] {
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(dir));
}
