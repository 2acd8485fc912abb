// Loopback webhook targets are a devnet-only allowance: the chains decide, not NODE_ENV.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { writeRealChainsFile } from "../testing/real-chains-file";

const workDir = mkdtempSync(join(tmpdir(), "ctrip-webhook-deps-"));
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  rmSync(workDir, { recursive: true, force: true });
  await database.drop();
});

async function allowLoopbackTargets(env: Record<string, string | undefined>): Promise<boolean> {
  vi.resetModules();
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { webhookDeps } = await import("./webhook-deps");
  const { createLogger } = await import("../logger");
  return webhookDeps(database.db, createLogger({}, { level: "error" })).allowLoopbackTargets;
}

describe("webhookDeps", () => {
  it("allows loopback targets while every chain is a local devnet, whatever NODE_ENV says", async () => {
    expect(await allowLoopbackTargets({ CHAINS_FILE: undefined, NODE_ENV: "production" })).toBe(true);
  });

  it("refuses them as soon as a chain is real, in development too", async () => {
    const realChains = writeRealChainsFile(workDir);
    expect(await allowLoopbackTargets({ CHAINS_FILE: realChains, NODE_ENV: "development" })).toBe(false);
    expect(await allowLoopbackTargets({ CHAINS_FILE: realChains, NODE_ENV: "test" })).toBe(false);
  });
});
