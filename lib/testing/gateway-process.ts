// `npm start` as a child of a test: its own process group (like a terminal job, so Ctrl-C or a power
// loss reaches every process), its output collected, and its health polled.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";

export type GatewayPorts = { app: number; anvil: number; postgres: number };
export type GatewayProcess = Awaited<ReturnType<typeof startGateway>>;

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

export async function startGateway(
  root: string,
  dataDir: string,
  ports: GatewayPorts,
  onStart: (child: ChildProcess) => void = () => {},
) {
  const { DATABASE_URL: _db, INNGEST_DEV: _dev, INNGEST_SIGNING_KEY: _key, ...inherited } = process.env;
  const child = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    env: {
      ...inherited,
      PORT: String(ports.app),
      HOST: "127.0.0.1",
      ANVIL_PORT: String(ports.anvil),
      EMBEDDED_POSTGRES_PORT: String(ports.postgres),
      CTRIP_DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  onStart(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  // "close", not "exit": npm may exit before start.ts has finished stopping its children, and
  // the pipes close only when every process holding them (start.ts included) is gone.
  const exited = new Promise<number | null>((resolveExit) =>
    child.once("close", (code) => resolveExit(code)),
  );
  const healthUrl = `http://127.0.0.1:${ports.app}/api/health`;
  const localHead = async () => {
    try {
      const health = (await (await fetch(healthUrl)).json()) as {
        chains: { name: string; head_block: string | null }[];
      };
      return Number(health.chains.find((chain) => chain.name === "local")?.head_block ?? -1);
    } catch {
      return -1;
    }
  };
  /** Waits until the local chain's head exceeds `min`; fails at once if npm start exits. */
  const waitForHeadAbove = async (min: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      const head = await localHead();
      if (head > min) return head;
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
    throw new Error(`the local head did not pass ${min} within ${timeoutMs} ms:\n${output}`);
  };
  return { child, exited, output: () => output, waitForHeadAbove };
}

/** Ctrl-C in the terminal: SIGINT to the whole group; resolves when every process has closed. */
export async function ctrlC(gateway: GatewayProcess) {
  if (gateway.child.pid) killGroup(gateway.child.pid, "SIGINT");
  return gateway.exited;
}
