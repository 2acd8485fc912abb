import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { API_KEY_PERMISSIONS, DEFAULT_API_KEY_PERMISSIONS } from "../access/permissions";
import { authenticateApiKey } from "../api-keys/authenticate-api-key";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { writeRealChainsFile } from "../testing/real-chains-file";
import { createSettlementFixture } from "../testing/settlement-fixture";
import { seedFingerprint } from "../wallet/seed-fingerprint";

const run = promisify(execFile);
const OTHER_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const root = join(import.meta.dirname, "..", "..");

let database: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), "ctrip-admin-"));
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await database.drop();
});

function admin(args: string[], env: Record<string, string | undefined>) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return run(join(root, "node_modules", ".bin", "tsx"), ["scripts/admin.ts", ...args], {
    cwd: root,
    env: { ...inherited, ...env },
  });
}

describe("npm run admin", () => {
  // Four CLI processes, each checking the seed (a BIP-39 derivation): slow on a loaded machine.
  it("creates a merchant with a working API key, a second key, and lists merchants (DATABASE_URL)", {
    timeout: 120_000,
  }, async () => {
    const env = { DATABASE_URL: database.databaseUrl };
    const created = JSON.parse(
      (
        await admin(
          ["create-merchant", "--name", "Acme", "--email", "ops@acme.test", "--password", "s3cret-pass"],
          env,
        )
      ).stdout,
    );
    expect(created).toEqual({
      merchant_id: expect.stringMatching(/^mer_/),
      api_key: expect.stringMatching(/^sk_/),
    });
    // The owner's first key holds every API permission (DESIGN.md).
    expect(await authenticateApiKey(database.db, `Bearer ${created.api_key}`)).toMatchObject({
      merchantId: created.merchant_id,
      permissions: [...API_KEY_PERMISSIONS].sort(),
    });

    const key = JSON.parse(
      (await admin(["create-api-key", "--merchant", created.merchant_id, "--name", "ci"], env)).stdout,
    );
    expect(key).toEqual({
      id: expect.stringMatching(/^key_/),
      api_key: expect.stringMatching(/^sk_/),
      permissions: [...DEFAULT_API_KEY_PERMISSIONS].sort(),
    });
    // The operator may grant any API permission (repeatable), e.g. the owner's approving payouts.
    const approver = JSON.parse(
      (
        await admin(
          [
            "create-api-key",
            "--merchant",
            created.merchant_id,
            "--permission",
            "payouts:approve",
            "--permission",
            "payouts:read",
          ],
          env,
        )
      ).stdout,
    );
    expect(approver.permissions).toEqual(["payouts:approve", "payouts:read"]);
    expect(await authenticateApiKey(database.db, `Bearer ${approver.api_key}`)).toMatchObject({
      permissions: ["payouts:approve", "payouts:read"],
    });

    const list = JSON.parse((await admin(["list-merchants"], env)).stdout);
    expect(list.data).toContainEqual(
      expect.objectContaining({
        id: created.merchant_id,
        name: "Acme",
        owner_email: "ops@acme.test",
        active_api_keys: 3,
      }),
    );
  });

  it("finds the embedded database of a running npm start through runtime.json", async () => {
    writeFileSync(
      join(dataDir, "runtime.json"),
      JSON.stringify({ pid: process.pid, databaseUrl: database.databaseUrl }),
    );
    const list = JSON.parse((await admin(["list-merchants"], { CTRIP_DATA_DIR: dataDir })).stdout);
    expect(list.object).toBe("list");
  });

  it("reconcile: per token and flagged payments of a chain, from real on-chain balances", async () => {
    const fx = await createSettlementFixture(database.db);
    // Paid (1.25 ETH at its deposit address), confirmed, not swept: received = held on chain.
    await fx.createConfirmedPayment({ amount: "1.25" });
    const chainsFile = join(dataDir, "chains.yaml");
    writeFileSync(
      chainsFile,
      stringify({
        chains: [
          {
            ...fx.chain,
            tokens: fx.chain.tokens.map(({ symbol, address, decimals }) => ({ symbol, address, decimals })),
          },
        ],
      }),
    );
    const env = { DATABASE_URL: database.databaseUrl, CHAINS_FILE: chainsFile };
    const output = JSON.parse(
      (await admin(["reconcile", "--chain", "local", "--merchant", fx.merchant.merchantId], env)).stdout,
    );
    expect(output).toEqual({
      chain: "local",
      tokens: [
        { symbol: "ETH", received: "1.25", swept: "0", fees: "0", held_on_chain: "1.25", difference: "0" },
        { symbol: "USDC", received: "0", swept: "0", fees: "0", held_on_chain: "0", difference: "0" },
      ],
      flagged_payments: [],
      gas: {
        symbol: "ETH",
        top_ups: "0",
        deposit_fees: "0",
        held_on_chain: "0",
        difference: "0",
        top_up_fees: "0",
        gas_tank_spent: "0",
      },
      flagged_gas: [],
    });
    await expect(admin(["reconcile", "--chain", "mainnet"], env)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown chain mainnet"),
    });
  });

  it("refuses a WALLET_MNEMONIC other than the database's, naming both fingerprints, and changes nothing", async () => {
    const fresh = await createTestDatabase();
    try {
      const env = { DATABASE_URL: fresh.databaseUrl };
      // First run: the (development) seed's fingerprint is stored.
      await admin(["list-merchants"], env);
      const stored = seedFingerprint(DEVELOPMENT_MNEMONIC).slice(0, 16);
      const other = seedFingerprint(OTHER_MNEMONIC).slice(0, 16);
      await expect(
        admin(["create-merchant", "--name", "X", "--email", "x@example.com", "--password", "longenough"], {
          ...env,
          WALLET_MNEMONIC: OTHER_MNEMONIC,
        }),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(
          `admin: WALLET_MNEMONIC does not match this database: stored seed fingerprint ${stored}…, this process has ${other}…`,
        ),
      });
      expect(await fresh.db.merchant.count()).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it("refuses the development seed when a chain is real, before touching the database", async () => {
    const fresh = await createTestDatabase();
    try {
      const chainsFile = writeRealChainsFile(dataDir);
      await expect(
        admin(["list-merchants"], { DATABASE_URL: fresh.databaseUrl, CHAINS_FILE: chainsFile }),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining("WALLET_MNEMONIC: the development mnemonic is public"),
      });
      expect(await fresh.db.installation.count()).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it("explains bad usage on stderr with a non-zero exit", async () => {
    const env = { DATABASE_URL: database.databaseUrl };
    await expect(
      admin(["create-merchant", "--name", "X", "--email", "nope", "--password", "longenough"], env),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--email"),
    });
    await expect(admin(["create-api-key", "--merchant", "mer_missing"], env)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no merchant mer_missing"),
    });
    await expect(admin(["list-merchants"], { CTRIP_DATA_DIR: join(dataDir, "none") })).rejects.toMatchObject({
      stderr: expect.stringContaining("No database"),
    });
  });
});
