import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/database";

const root = resolve(import.meta.dirname, "..");
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

describe("npm run worker", () => {
  it("records chain heads until SIGINT, then stops cleanly with exit code 0", async () => {
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
      worker.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(output).toContain("embedded job runner stopped");
    } finally {
      if (worker.exitCode === null) worker.kill("SIGKILL");
    }
  });
});
