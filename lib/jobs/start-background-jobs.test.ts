import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";

let database: TestDatabase;
let workDir: string;
let chainsFile: string;
beforeAll(async () => {
  database = await createTestDatabase();
  workDir = mkdtempSync(join(tmpdir(), "ctrip-jobs-"));
  chainsFile = join(workDir, "chains.yaml");
  writeFileSync(
    chainsFile,
    `chains:\n  - { name: worker-local, chainId: 31337, rpcUrls: ["${inject("anvilRpcUrl")}"], confirmations: 2, blockTime: 1, nativeCurrency: { symbol: ETH } }\n`,
  );
});
afterAll(async () => {
  await database.drop();
  rmSync(workDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

// env() and the job context are cached per module graph: each case loads them afresh.
async function load(environment: Record<string, string | undefined>) {
  vi.resetModules();
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  vi.stubEnv("CHAINS_FILE", chainsFile);
  vi.stubEnv("LOG_LEVEL", "error");
  vi.stubEnv("INNGEST_SIGNING_KEY", undefined);
  vi.stubEnv("INNGEST_DEV", undefined);
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
  return import("./start-background-jobs");
}

describe("startBackgroundJobs", () => {
  it("leaves the jobs to Inngest when it is configured", async () => {
    const { startBackgroundJobs } = await load({ INNGEST_DEV: "1" });
    expect(startBackgroundJobs({ host: "web" })).toBeNull();
    expect(startBackgroundJobs({ host: "worker" })).toBeNull();
  });

  it("CTRIP_EMBEDDED_RUNNER=off turns the web server's runner off, not the worker's", async () => {
    const { startBackgroundJobs } = await load({ CTRIP_EMBEDDED_RUNNER: "off" });
    expect(startBackgroundJobs({ host: "web" })).toBeNull();

    const runner = startBackgroundJobs({ host: "worker" });
    expect(runner).not.toBeNull();
    try {
      await expect
        .poll(
          async () =>
            (await database.db.chainCursor.findUnique({ where: { chain: "worker-local" } }))?.headBlock,
          { timeout: 15_000 },
        )
        .toEqual(expect.any(BigInt));
    } finally {
      await runner?.stop();
      const { loadJobContext } = await import("./start-background-jobs");
      await loadJobContext().db.$disconnect();
    }
  });
});
