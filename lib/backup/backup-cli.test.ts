// The restore drill of the README through the real CLIs: `npm run admin -- backup` on a running
// gateway's database, a new embedded cluster migrated by `npm run db:migrate`, then
// `npm run admin -- restore` into it (the cluster started by the command itself).
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { assertSeedFingerprint } from "../wallet/seed-fingerprint";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
/** This helper's port range (3330–3339): the drill's own embedded cluster. */
const EMBEDDED_PORT = "3331";

let live: TestDatabase;
let dir: string;
beforeAll(async () => {
  live = await createTestDatabase();
  await assertSeedFingerprint(live.db, DEVELOPMENT_MNEMONIC);
  await createMerchant(
    live.db,
    { name: "Drill shop", email: "drill@example.com", password: "correct horse battery" },
    DEVELOPMENT_MNEMONIC,
  );
  dir = mkdtempSync(join(tmpdir(), "ctrip-drill-"));
  // As root the embedded cluster runs as another user, who must traverse the folder (mkdtemp: 0700).
  chmodSync(dir, 0o755);
});
afterAll(async () => {
  await live?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(script: string, args: string[], env: Record<string, string>) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return run(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: root,
    env: { ...inherited, WALLET_MNEMONIC: DEVELOPMENT_MNEMONIC, ...env },
  }).catch((error: { code: number; stdout: string; stderr: string }) => error);
}

describe("restore drill through the CLIs", () => {
  it("backs up over DATABASE_URL, restores into a new embedded database once, refuses the second time", {
    timeout: 300_000,
  }, async () => {
    const file = join(dir, "ctrip.backup");
    const backup = await cli("scripts/admin.ts", ["backup", "--out", file], {
      DATABASE_URL: live.databaseUrl,
    });
    expect(JSON.parse(backup.stdout)).toMatchObject({ file, tables: { merchants: 1, installation: 1 } });

    const embedded = { CTRIP_DATA_DIR: join(dir, "data"), EMBEDDED_POSTGRES_PORT: EMBEDDED_PORT };
    const migrate = await cli("scripts/db.ts", ["migrate"], embedded);
    expect(migrate.stdout).toContain("database: embedded (started for this command)");

    const usage = (await cli("scripts/admin.ts", ["restore"], embedded)) as { code?: number; stderr: string };
    expect([usage.code, usage.stderr.split("\n")[0]]).toEqual([2, "admin: restore needs --in <file>"]);

    const restore = await cli("scripts/admin.ts", ["restore", "--in", file, "--index-gap", "500"], embedded);
    expect(JSON.parse(restore.stdout)).toMatchObject({
      restore_id: expect.stringMatching(/^rst_/),
      tables: { merchants: 1, installation: 1 },
      deposit_index_gap: 500,
    });

    const again = (await cli("scripts/admin.ts", ["restore", "--in", file], embedded)) as {
      code?: number;
      stderr: string;
    };
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(
      /^admin: the database is not empty \(.*merchants.*\): restore only into/,
    );
  });
});
