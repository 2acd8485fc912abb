import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEVELOPMENT_MNEMONIC } from "../lib/config/env";
import { createTestDatabase, type TestDatabase } from "../lib/testing/database";
import { assertSeedFingerprint, seedFingerprint } from "../lib/wallet/seed-fingerprint";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);
const METRICS_TOKEN = "worker-metrics-token-0123456789";
const OTHER = "legal winner thank year wave sausage worth useful legal winner thank yellow";
let database: TestDatabase;
let workDir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  workDir = mkdtempSync(join(tmpdir(), "ctrip-worker-"));
});
afterAll(async () => {
  await database.drop();
  rmSync(workDir, { recursive: true, force: true });
});

/** A TCP port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

describe("npm run worker", () => {
  it("records chain heads and serves its own metrics until SIGINT, then stops cleanly with exit code 0", async () => {
    const metricsPort = await freePort();
    const chainsFile = join(workDir, "chains.yaml");
    writeFileSync(
      chainsFile,
      `chains:\n  - { name: worker, chainId: 31337, rpcUrls: ["${inject("anvilRpcUrl")}"], confirmations: 2, blockTime: 1, nativeCurrency: { symbol: ETH } }\n`,
    );
    const { INNGEST_DEV: _dev, INNGEST_SIGNING_KEY: _key, ...inherited } = process.env;
    // As `npm run worker` runs it. Not through tsx's CLI: it relays SIGINT to its child and, when the
    // child does not acknowledge within 30 ms (a loaded machine), SIGKILLs it and exits 130.
    const worker = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      cwd: root,
      env: {
        ...inherited,
        DATABASE_URL: database.databaseUrl,
        CHAINS_FILE: chainsFile,
        CTRIP_EMBEDDED_RUNNER: "off",
        WORKER_METRICS_PORT: String(metricsPort),
        METRICS_TOKEN: METRICS_TOKEN,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    worker.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    worker.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolveExit) =>
      worker.once("exit", (code) => resolveExit(code)),
    );
    try {
      await expect
        .poll(
          async () => (await database.db.chainCursor.findUnique({ where: { chain: "worker" } }))?.headBlock,
          {
            timeout: 30_000,
          },
        )
        .toEqual(expect.any(BigInt));
      // The worker's own registry: its job runs and RPC calls, behind the same token as /api/metrics.
      const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      const scrape = (headers: Record<string, string>) => fetch(metricsUrl, { headers }).catch(() => null); // listening shortly after the jobs start
      await expect.poll(async () => (await scrape({}))?.status, { timeout: 30_000 }).toBe(401);
      const metrics = await (await scrape({ authorization: `Bearer ${METRICS_TOKEN}` }))?.text();
      expect(metrics).toMatch(/^ctrip_job_runs_total\{job="[\w-]+",outcome="succeeded"\} [1-9]/m);
      expect(metrics).toMatch(
        /^ctrip_rpc_requests_total\{chain="worker",method="eth_blockNumber",url_index="0",outcome="ok"\} [1-9]/m,
      );
      expect(metrics).toMatch(/^ctrip_chain_head_block\{chain="worker"\} \d+$/m);
      worker.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(output).toContain("embedded job runner stopped");
    } finally {
      if (worker.exitCode === null) worker.kill("SIGKILL");
    }
  });

  it("refuses to start with another seed than the database's, naming both fingerprints", async () => {
    const fresh = await createTestDatabase();
    try {
      await assertSeedFingerprint(fresh.db, DEVELOPMENT_MNEMONIC);
      const chainsFile = join(workDir, "chains-seed.yaml");
      writeFileSync(
        chainsFile,
        `chains:\n  - { name: worker, chainId: 31337, rpcUrls: ["${inject("anvilRpcUrl")}"], confirmations: 2, blockTime: 1, nativeCurrency: { symbol: ETH } }\n`,
      );
      const { INNGEST_DEV: _dev, INNGEST_SIGNING_KEY: _key, ...inherited } = process.env;
      const refused = await run(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
        cwd: root,
        timeout: 60_000,
        env: {
          ...inherited,
          DATABASE_URL: fresh.databaseUrl,
          CHAINS_FILE: chainsFile,
          WALLET_MNEMONIC: OTHER,
        },
      }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `worker: WALLET_MNEMONIC does not match this database: stored seed fingerprint ${seedFingerprint(DEVELOPMENT_MNEMONIC).slice(0, 16)}…, this process has ${seedFingerprint(OTHER).slice(0, 16)}…`,
      );
      // It ran no job: the chain's head was never recorded.
      expect(await fresh.db.chainCursor.count()).toBe(0);
    } finally {
      await fresh.drop();
    }
  });
});
