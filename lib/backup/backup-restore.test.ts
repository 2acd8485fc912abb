// Disaster drill on real PostgreSQL and Anvil: a backup while payments exist, more payments created
// and paid after it, the database lost and restored from the backup into a fresh one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { rollbackDatabase } from "../db/rollback";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { scanChain } from "../scanner/scan-chain";
import { reconcileChain } from "../settlement/reconcile-chain";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { assertSeedFingerprint } from "../wallet/seed-fingerprint";
import { createBackup } from "./create-backup";
import { restoreBackup } from "./restore-backup";

const OTHER_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const usdc = (units: bigint) => units * 10n ** 6n;

let live: TestDatabase;
let fx: ScannerFixture;
const databases: TestDatabase[] = [];
const dir = mkdtempSync(join(tmpdir(), "ctrip-backup-"));

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

beforeAll(async () => {
  live = await freshDatabase();
  await assertSeedFingerprint(live.db, DEVELOPMENT_MNEMONIC);
  fx = await startScannerFixture(live);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  for (const database of databases.splice(0)) await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("backup → more payments → restore", () => {
  it("hands out no address twice, re-detects what was paid after the backup, credits nothing twice", {
    timeout: 120_000,
  }, async () => {
    // Before the backup: one payment paid and confirmed, one still open.
    const paidBefore = await fx.createPayment({ token: "USDC", amount: "10" });
    await fx.sendToken(paidBefore.address, usdc(10n));
    await fx.mine(2);
    await fx.scan();
    const openAtBackup = await fx.createPayment({ token: "USDC", amount: "7" });
    expect((await fx.payment(paidBefore.id)).status).toBe("confirmed");

    const file = join(dir, "live.backup");
    const backup = await createBackup(live.databaseUrl, file);
    expect(backup.tables).toMatchObject({ payments: 2, transfers: 1, merchants: 1 });

    // After the backup: the open payment is paid, new payments are created and paid, a new merchant.
    await fx.sendToken(openAtBackup.address, usdc(7n));
    const createdAfter = [
      await fx.createPayment({ token: "USDC", amount: "3" }),
      await fx.createPayment({ token: "USDC", amount: "4" }),
    ];
    await fx.sendToken(createdAfter[0]?.address ?? "", usdc(3n));
    const lateMerchant = await createMerchant(live.db, {
      name: "After backup",
      email: "after-backup@example.com",
      password: "correct horse battery",
    });
    await fx.mine(2);
    await fx.scan();
    const handedOut = new Set(
      (await live.db.payment.findMany({ select: { depositAddress: true } })).map((p) => p.depositAddress),
    );
    expect(handedOut.size).toBe(4);

    // The database is lost; a new one is migrated and the backup restored into it.
    const restored = await freshDatabase();
    const summary = await restoreBackup(restored.databaseUrl, file, { mnemonic: DEVELOPMENT_MNEMONIC });
    expect(summary.tables).toEqual(backup.tables);
    expect(await restored.db.databaseRestore.count()).toBe(1);
    await assertSeedFingerprint(restored.db, DEVELOPMENT_MNEMONIC);

    // The scanner resumes from the backup's cursor: the payment paid after the backup is found
    // again, the one found before is not credited twice, a second scan records nothing.
    const scan = () =>
      scanChain(
        { db: restored.db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL },
        { maxRanges: 1_000 },
      );
    await scan();
    expect((await scan()).transfersRecorded).toBe(0);
    const payments = await restored.db.payment.findMany({
      include: { transfers: true },
      orderBy: { derivationIndex: "asc" },
    });
    expect(payments.map((p) => [p.id, p.status, p.amountReceived.toFixed(), p.transfers.length])).toEqual([
      [paidBefore.id, "confirmed", usdc(10n).toString(), 1],
      [openAtBackup.id, "confirmed", usdc(7n).toString(), 1],
    ]);

    // New payments and merchants never get what was handed out after the backup.
    const fresh = [];
    for (let i = 0; i < 3; i++)
      fresh.push(
        await createPayment(
          {
            actor: OPERATOR,
            db: restored.db,
            chains: [fx.chain],
            baseUrl: BASE_URL,
            now: await fx.chainNow(),
          },
          fx.merchant.merchantId,
          { chain: fx.chain.name, token: "USDC", amount: "1" },
        ),
      );
    for (const payment of fresh) expect(handedOut.has(payment.address)).toBe(false);
    const newMerchant = await createMerchant(
      restored.db,
      { name: "After restore", email: "after-restore@example.com", password: "correct horse battery" },
      DEVELOPMENT_MNEMONIC,
    );
    expect(newMerchant.hdAccount).toBeGreaterThan(lateMerchant.hdAccount);

    const reconciliation = await reconcileChain(
      { db: restored.db, chains: [fx.chain] },
      { chain: fx.chain.name },
    );
    expect(reconciliation.flagged_payments).toEqual([]);
    for (const token of reconciliation.tokens) expect(token.difference, token.symbol).toBe("0");
    expect(reconciliation.tokens.find((token) => token.symbol === "USDC")?.received).toBe("17");
  });

  it("is a consistent snapshot while payments are being created", { timeout: 120_000 }, async () => {
    let creating = true;
    const writer = (async () => {
      let created = 0;
      while (creating) {
        await fx.createPayment({ token: "USDC", amount: "1" });
        created += 1;
      }
      return created;
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const file = join(dir, "busy.backup");
    await createBackup(live.databaseUrl, file);
    creating = false;
    expect(await writer).toBeGreaterThan(0);

    const restored = await freshDatabase();
    const summary = await restoreBackup(restored.databaseUrl, file, { mnemonic: DEVELOPMENT_MNEMONIC });
    // Every restored payment has its first status change and its payment.created event (written by
    // the same statement), and its index lies below the merchant's counter as it was at the snapshot.
    const payments = await restored.db.payment.findMany({
      where: { merchantId: fx.merchant.merchantId },
      select: { id: true, derivationIndex: true, _count: { select: { statusChanges: true } } },
    });
    expect(payments.every((p) => p._count.statusChanges >= 1)).toBe(true);
    expect(await restored.db.event.count({ where: { type: "payment.created" } })).toBe(
      await restored.db.payment.count(),
    );
    const merchant = await restored.db.merchant.findUniqueOrThrow({
      where: { id: fx.merchant.merchantId },
      select: { nextDepositIndex: true },
    });
    const highest = Math.max(...payments.map((p) => p.derivationIndex));
    expect(merchant.nextDepositIndex - summary.deposit_index_gap).toBeGreaterThan(highest);
    // The restore replays no webhook fan-out: deliveries are exactly the backed-up ones.
    expect(summary.tables.webhook_deliveries).toBe(await restored.db.webhookDelivery.count());
  });

  it("refuses a used database, another migration level, another seed and a damaged file, restoring nothing", {
    timeout: 120_000,
  }, async () => {
    const file = join(dir, "refusals.backup");
    await createBackup(live.databaseUrl, file);

    await expect(restoreBackup(live.databaseUrl, file, { mnemonic: DEVELOPMENT_MNEMONIC })).rejects.toThrow(
      /^the database is not empty \(.*merchants.*\): restore only into a new database/,
    );

    const older = await freshDatabase();
    const migrations = (await import("../db/migrate")).readMigrations();
    await rollbackDatabase(older.databaseUrl, { to: migrations.at(-2)?.name ?? "", force: true }, migrations);
    await expect(restoreBackup(older.databaseUrl, file, { mnemonic: DEVELOPMENT_MNEMONIC })).rejects.toThrow(
      `the backup was taken at migration ${migrations.at(-1)?.name} (${migrations.length} applied), this database is at ${migrations.at(-2)?.name} (${migrations.length - 1} applied)`,
    );

    const target = await freshDatabase();
    await expect(restoreBackup(target.databaseUrl, file, { mnemonic: OTHER_MNEMONIC })).rejects.toThrow(
      /^the backup belongs to a gateway with seed fingerprint [0-9a-f]{16}…, WALLET_MNEMONIC here has/,
    );

    const lines = gunzipSync(readFileSync(file)).toString("utf8").trimEnd().split("\n");
    const truncated = join(dir, "truncated.backup");
    writeFileSync(truncated, gzipSync(`${lines.slice(0, -1).join("\n")}\n`));
    await expect(
      restoreBackup(target.databaseUrl, truncated, { mnemonic: DEVELOPMENT_MNEMONIC }),
    ).rejects.toThrow("the backup is truncated (no end marker): nothing was restored");
    const notBackup = join(dir, "not-a-backup");
    writeFileSync(notBackup, gzipSync('{"hello": 1}\n'));
    await expect(
      restoreBackup(target.databaseUrl, notBackup, { mnemonic: DEVELOPMENT_MNEMONIC }),
    ).rejects.toThrow("is not a cTrip Pay backup");
    expect(await target.db.merchant.count()).toBe(0);
    expect(await target.db.databaseRestore.count()).toBe(0);
    // The refused target still takes the backup.
    await restoreBackup(target.databaseUrl, file, { mnemonic: DEVELOPMENT_MNEMONIC });
    expect(await target.db.merchant.count()).toBeGreaterThan(0);
  });
});
