// The real `npm start` as an operator runs it, in its own process group (a terminal job), for tests
// that start whole gateways: readiness through /api/health, Ctrl-C to the group to stop it.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export type GatewayProcess = {
  child: ChildProcess;
  baseUrl: string;
  output(): string;
  /** Resolves once /api/health answers 200; fails at once if npm start exits. */
  waitUntilHealthy(timeoutMs: number): Promise<void>;
  /** Ctrl-C to the whole group; resolves with the exit code once every process holding its output is gone. */
  stop(): Promise<number | null>;
  /** SIGKILL to the group (test clean-up). */
  kill(): void;
};

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
  const closed = new Promise<number | null>((resolveClose) =>
    child.once("close", (code) => resolveClose(code)),
  );
  const baseUrl = `http://127.0.0.1:${env.PORT ?? "3000"}`;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    baseUrl,
    output: () => output,
    async waitUntilHealthy(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
        const status = await fetch(`${baseUrl}/api/health`).then(
          (response) => response.status,
          () => 0,
        );
        if (status === 200) return;
        await new Promise((resolveWait) => setTimeout(resolveWait, 500));
      }
      throw new Error(`${baseUrl} was not healthy within ${timeoutMs} ms:\n${output}`);
    },
    stop() {
      signalGroup("SIGINT");
      return closed;
    },
    kill: () => signalGroup("SIGKILL"),
  };
}
