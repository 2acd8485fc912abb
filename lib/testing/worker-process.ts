// The real `npm run worker` process, for the resilience scenarios: started, killed with SIGKILL at any
// point and started again, against a test database and a test chain.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
/** Lines of output kept for the failure message of a test. */
const KEPT_LINES = 200;

export type WorkerProcess = {
  /** Starts the worker and resolves once its job runner runs ("embedded job runner started"). */
  start(): Promise<void>;
  /** SIGKILL: no shutdown handler runs, jobs in flight are cut wherever they are. */
  kill(): Promise<void>;
  /** SIGINT, as an operator stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
  running(): boolean;
  /** The last lines the worker wrote (stdout and stderr). */
  output(): string;
  /** Everything the worker wrote, over all its runs (scanned for secrets). */
  log(): string;
};

export function workerProcess(env: Record<string, string>): WorkerProcess {
  const {
    INNGEST_DEV: _dev,
    INNGEST_SIGNING_KEY: _key,
    INNGEST_EVENT_KEY: _event,
    ...inherited
  } = process.env;
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  const lines: string[] = [];
  const chunks: string[] = [];

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  return {
    running,
    output: () => lines.join("\n"),
    log: () => chunks.join(""),
    async start() {
      if (running()) throw new Error("the worker is already running");
      // Not through tsx's CLI (see scripts/worker.test.ts): the signals must reach the worker itself.
      const started = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
        cwd: ROOT,
        env: { ...inherited, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = started;
      exited = new Promise((resolveExit) => started.once("exit", (code) => resolveExit(code)));
      const ready = new Promise<void>((resolveReady, reject) => {
        const collect = (chunk: Buffer) => {
          chunks.push(chunk.toString());
          for (const line of chunk.toString().split("\n")) {
            if (!line.trim()) continue;
            lines.push(line);
            if (lines.length > KEPT_LINES) lines.shift();
            if (line.includes("embedded job runner started")) resolveReady();
          }
        };
        started.stdout?.on("data", collect);
        started.stderr?.on("data", collect);
        void exited.then((code) =>
          reject(new Error(`worker exited (${code}) before starting:\n${lines.join("\n")}`)),
        );
      });
      ready.catch(() => undefined);
      await ready;
    },
    async kill() {
      if (!running()) return;
      child?.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (!running()) return exited;
      child?.kill("SIGINT");
      return exited;
    },
  };
}
