// `npm start` end to end: embedded PostgreSQL + Anvil + migrations + build + next start, Ctrl-C
// stops every child, and a second start reuses the data (no new demo merchant, chain continues).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "../lib/config/env";
import { freePort } from "../lib/runtime/free-port";
import { nextServerArgs, nextServerCommand } from "../lib/runtime/server-command";
import { acquireBuildLock } from "../lib/testing/build-lock";
import {
  embeddedGatewayEnv,
  type GatewayPorts,
  type GatewayProcess,
  processesUsing,
  startGatewayProcess,
} from "../lib/testing/gateway-process";
import { writeRealChainsFile } from "../lib/testing/real-chains-file";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "ctrip-start-"));
const started: GatewayProcess[] = [];

afterAll(() => {
  for (const gateway of started) gateway.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

function startGateway(ports: GatewayPorts): GatewayProcess {
  const gateway = startGatewayProcess(embeddedGatewayEnv(dataDir, ports));
  started.push(gateway);
  return gateway;
}

describe("npm start", () => {
  it("serves the gateway on embedded defaults, stops every child on Ctrl-C and reuses its data", {
    timeout: 600_000,
  }, async () => {
    const ports = { app: await freePort(), anvil: await freePort(), postgres: await freePort() };

    const releaseBuild = await acquireBuildLock(root);
    const first = startGateway(ports);
    const headBefore = await first.waitForHeadAbove(0, 480_000).finally(releaseBuild);
    expect(first.output()).toContain("demo merchant created");
    expect(first.output()).toMatch(/migrations: \d+ applied, 0 already in place/);
    expect(processesUsing(dataDir).length).toBeGreaterThanOrEqual(2);

    await first.stop();
    expect(first.output()).toContain("postgres stopped");
    await expect.poll(() => processesUsing(dataDir), { timeout: 15_000 }).toEqual([]);

    const second = startGateway(ports);
    await second.waitForHeadAbove(headBefore, 120_000);
    expect(second.output()).not.toContain("demo merchant created");
    expect(second.output()).toMatch(/migrations: 0 applied, \d+ already in place/);
    expect(second.output()).not.toContain("building the app");
    await second.stop();
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
