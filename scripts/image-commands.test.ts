// The container image's three commands (lib/testing/image-commands.ts), run outside Docker from the
// image's layout (lib/testing/image-layout.ts) in production mode with real secrets, against a fresh
// database of the test PostgreSQL and the test Anvil: migrate, then the standalone server and the
// worker; /api/health answers 200 and a payment created through the API is detected and confirmed.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { type Address, createTestClient, createWalletClient, http, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readMigrations } from "../lib/db/migrate";
import { anvilDefaultAccounts } from "../lib/devnet/setup-devnet";
import { createTestDatabase, type TestDatabase } from "../lib/testing/database";
import { IMAGE_COMMANDS } from "../lib/testing/image-commands";
import { prepareImageLayout } from "../lib/testing/image-layout";

const run = promisify(execFile);
/** E2E/test port range 3310–3319 (this file's). */
const APP_PORT = 3311;
const baseUrl = `http://127.0.0.1:${APP_PORT}`;
const rpcUrl = inject("anvilRpcUrl");

let appDir: string;
let workDir: string;
let database: TestDatabase;
let productionEnv: NodeJS.ProcessEnv;
const started: { name: string; child: ChildProcess; output: string[] }[] = [];

beforeAll(async () => {
  appDir = await prepareImageLayout();
  workDir = mkdtempSync(join(tmpdir(), "ctrip-image-"));
  database = await createTestDatabase({ empty: true });
  const chainsFile = join(workDir, "chains.yaml");
  writeFileSync(
    chainsFile,
    `chains:\n  - { name: local, chainId: 31337, rpcUrls: ["${rpcUrl}"], confirmations: 2, blockTime: 1, nativeCurrency: { symbol: ETH, decimals: 18 } }\n`,
  );
  // Nothing inherited decides the mode: no Inngest, no test database URL, no development defaults.
  const {
    INNGEST_DEV: _dev,
    INNGEST_SIGNING_KEY: _key,
    INNGEST_EVENT_KEY: _event,
    INNGEST_BASE_URL: _base,
    DATABASE_URL: _url,
    ...inherited
  } = process.env;
  productionEnv = {
    ...inherited,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.databaseUrl,
    CHAINS_FILE: chainsFile,
    WALLET_MNEMONIC: generateMnemonic(wordlist),
    APP_SECRET: randomBytes(32).toString("hex"),
    METRICS_TOKEN: randomBytes(16).toString("hex"),
    PUBLIC_URL: baseUrl,
    CTRIP_DATA_DIR: join(workDir, "data"),
  };
}, 900_000);

afterAll(async () => {
  for (const { child } of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await database?.drop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Starts one of the image's long-running commands from the image's /app. */
function startCommand(name: string, command: readonly string[], env: NodeJS.ProcessEnv) {
  const [, ...args] = command;
  const child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  started.push({ name, child, output });
  return child;
}

function logs(): string {
  return started.map(({ name, output }) => `--- ${name}\n${output.join("").slice(-3000)}`).join("\n");
}

async function api(path: string, init: { apiKey: string; body?: unknown }): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${init.apiKey}`,
      "content-type": "application/json",
      "idempotency-key": randomBytes(8).toString("hex"),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

describe("the image's commands, in production mode", () => {
  it("migrate applies every migration to an empty database and is a no-op the second time", async () => {
    const [, ...args] = IMAGE_COMMANDS.migrate;
    const first = await run(process.execPath, args, { cwd: appDir, env: productionEnv, timeout: 120_000 });
    expect(first.stderr).not.toMatch(/error/i);
    const rows = await database.db.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(
      readMigrations().map((migration) => migration.name),
    );
    await run(process.execPath, args, { cwd: appDir, env: productionEnv, timeout: 120_000 });
  }, 240_000);

  it("the standalone server and the worker serve /api/health and take a payment from creation to confirmed", async () => {
    // The web server serves only; the worker runs every job (docker-compose.yml, profile embedded).
    const server = startCommand("app", IMAGE_COMMANDS.app, {
      ...productionEnv,
      PORT: String(APP_PORT),
      HOSTNAME: "127.0.0.1",
      CTRIP_EMBEDDED_RUNNER: "off",
    });
    const worker = startCommand("worker", IMAGE_COMMANDS.worker, productionEnv);

    await expect
      .poll(
        async () => {
          if (server.exitCode !== null || worker.exitCode !== null)
            throw new Error(`a process exited:\n${logs()}`);
          return fetch(`${baseUrl}/api/health`).then(
            (response) => response.status,
            () => 0,
          );
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe(200);
    // Real secrets are in force: the metrics need the token.
    expect((await fetch(`${baseUrl}/api/metrics`)).status).toBe(401);

    // The operator CLI from the same image creates the merchant and its key.
    const created = JSON.parse(
      (
        await run(
          process.execPath,
          [
            "--import",
            "tsx",
            "scripts/admin.ts",
            "create-merchant",
            "--name",
            "Image shop",
            "--email",
            "ops@image.test",
            "--password",
            "a long password",
          ],
          { cwd: appDir, env: productionEnv, timeout: 120_000 },
        ).catch((error: { stderr?: string; stdout?: string; code?: number }) => {
          throw new Error(`admin create-merchant failed (${error.code}): ${error.stdout} ${error.stderr}`);
        })
      ).stdout,
    ) as { merchant_id: string; api_key: string };

    const response = await api("/api/v1/payments", {
      apiKey: created.api_key,
      body: { chain: "local", amount: "0.02", order_id: "image-1", expires_in: 3600 },
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const payment = (await response.json()) as { id: string; address: Address; status: string };
    expect(payment.status).toBe("pending");

    const transport = http(rpcUrl, { retryCount: 0 });
    const [payer] = anvilDefaultAccounts(8).slice(7) as [Address];
    await createWalletClient({ transport }).sendTransaction({
      account: payer,
      chain: null,
      to: payment.address,
      value: parseEther("0.02"),
    });
    // The test Anvil mines on demand: give the payment its confirmations, block by block.
    const testClient = createTestClient({ mode: "anvil", transport });
    const statuses = new Set<string>();
    await expect
      .poll(
        async () => {
          if (server.exitCode !== null || worker.exitCode !== null)
            throw new Error(`a process exited:\n${logs()}`);
          await testClient.mine({ blocks: 1 });
          const current = (await (
            await api(`/api/v1/payments/${payment.id}`, { apiKey: created.api_key })
          ).json()) as {
            status: string;
          };
          statuses.add(current.status);
          return current.status;
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe("confirmed")
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\nstatuses seen: ${[...statuses].join(", ")}\n${logs()}`);
      });

    // The deposit address came from the bundled worker thread, which never fell back.
    const everything = started.map(({ output }) => output.join("")).join("\n");
    expect(everything).not.toContain("deposit address worker");

    // SIGTERM, as `docker stop` sends it: both stop on their own.
    const exits = [server, worker].map(
      (child) =>
        new Promise<string>((resolveExit) =>
          child.once("exit", (code, signal) => resolveExit(signal ?? String(code))),
        ),
    );
    server.kill("SIGTERM");
    worker.kill("SIGTERM");
    const [serverExit, workerExit] = await Promise.all(exits);
    // Next's standalone server ends with 143 (128 + SIGTERM) after closing; the worker drains its
    // jobs and exits 0.
    expect(["0", "143", "SIGTERM"], logs()).toContain(serverExit);
    expect(workerExit, logs()).toBe("0");
  }, 300_000);
});
