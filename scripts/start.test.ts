// `npm start` end to end: embedded PostgreSQL + Anvil + migrations + build + next start, Ctrl-C
// stops every child, and a second start reuses the data (no new demo merchant, chain continues).
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "../lib/config/env";
import { freePort } from "../lib/runtime/free-port";
import { nextServerArgs, nextServerCommand } from "../lib/runtime/server-command";
import { writeRealChainsFile } from "../lib/testing/real-chains-file";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "ctrip-start-"));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.pid) killGroup(child.pid, "SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Processes whose command line mentions our data directory (postgres, anvil). */
function processesUsing(dir: string): string[] {
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(dir));
}

async function startGateway(ports: { app: number; anvil: number; postgres: number }) {
  const { DATABASE_URL: _db, INNGEST_DEV: _dev, INNGEST_SIGNING_KEY: _key, ...inherited } = process.env;
  // Its own process group, like a terminal job: Ctrl-C reaches the whole group.
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
  started.push(child);
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

async function ctrlC(gateway: Awaited<ReturnType<typeof startGateway>>) {
  if (gateway.child.pid) killGroup(gateway.child.pid, "SIGINT");
  return gateway.exited;
}

describe("npm start", () => {
  it("serves the gateway on embedded defaults, stops every child on Ctrl-C and reuses its data", {
    timeout: 600_000,
  }, async () => {
    const ports = { app: await freePort(), anvil: await freePort(), postgres: await freePort() };

    const first = await startGateway(ports);
    const headBefore = await first.waitForHeadAbove(0, 480_000);
    expect(first.output()).toContain("demo merchant created");
    expect(first.output()).toMatch(/migrations: \d+ applied, 0 already in place/);
    expect(processesUsing(dataDir).length).toBeGreaterThanOrEqual(2);

    await ctrlC(first);
    expect(first.output()).toContain("postgres stopped");
    await expect.poll(() => processesUsing(dataDir), { timeout: 15_000 }).toEqual([]);

    const second = await startGateway(ports);
    await second.waitForHeadAbove(headBefore, 120_000);
    expect(second.output()).not.toContain("demo merchant created");
    expect(second.output()).toMatch(/migrations: 0 applied, \d+ already in place/);
    expect(second.output()).not.toContain("building the app");
    await ctrlC(second);
    expect(second.output()).toContain("postgres stopped");
    await expect.poll(() => processesUsing(dataDir), { timeout: 15_000 }).toEqual([]);

    // The build is there: `next start` launched directly with a real chain refuses through its
    // instrumentation hook, and exits (Next alone would log the failed hook and keep listening).
    const { DATABASE_URL: _db, INNGEST_DEV: _dev, INNGEST_SIGNING_KEY: _key, ...inherited } = process.env;
    const server = nextServerCommand(
      root,
      parseEnv({}),
      nextServerArgs(parseEnv({ PORT: String(ports.app) }), "start"),
    );
    const direct = await run(server.command, server.args, {
      cwd: root,
      timeout: 120_000,
      env: {
        ...inherited,
        CHAINS_FILE: writeRealChainsFile(dataDir),
        DATABASE_URL: "postgresql://ctrip:ctrip@127.0.0.1:1/ctrip",
      },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain(
      "cTrip Pay: Refusing to start: base (chain id 8453) is not a local devnet",
    );
  });
});
