// The chain watcher's tick (scan, then expiry) runs 4 times per block: what it reads of the payments
// table must not grow with the number of pending payments. With 10,000 pending USDC payments (a
// checkout burst), one tick reads a bounded number of payment rows, counted by PostgreSQL itself
// (pg_stat_user_tables), not timed.
import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db/client";
import { expirePayments } from "../payments/expire-payments";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { checkNativeBalances } from "./check-native-balances";
import { scanChain } from "./scan-chain";

const PENDING = 10_000;

let database: TestDatabase;
let fx: ScannerFixture;
// One connection: its statistics are flushed on demand (pg_stat_force_next_flush) before reading.
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  await fx.scan();
  db = createDb(database.databaseUrl, { maxConnections: 1 });
});
afterAll(async () => {
  await db?.$disconnect();
  await fx?.stop();
  await database?.drop();
});

/** Payment rows PostgreSQL has read so far (sequential scans and index fetches), flushed first. */
async function paymentRowsRead(): Promise<number> {
  await db.$queryRaw`SELECT pg_stat_force_next_flush()::text`;
  const [row] = await db.$queryRaw<{ rows: bigint }[]>`
    SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS rows
    FROM pg_stat_user_tables WHERE relname = 'payments'`;
  return Number(row?.rows ?? 0);
}

describe("the watcher's tick with many pending payments", () => {
  it("reads a bounded number of payment rows, not the table", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "10" });
    // 10,000 copies of it, each with its own id, index and address (pending, the same expiry).
    await db.$executeRaw`
      INSERT INTO payments
      SELECT (jsonb_populate_record(NULL::payments, to_jsonb(p) || jsonb_build_object(
        'id', p.id || '_' || g,
        'derivation_index', 1000000 + g,
        'deposit_address', '0x' || lpad(to_hex(g), 40, '0')))).*
      FROM payments AS p, generate_series(1, ${PENDING}::int) AS g
      WHERE p.id = ${payment.id}`;
    /** One tick of the watcher (a new block, its scan, then expiry): the payment rows it read. */
    const tick = async () => {
      await fx.mine(1);
      const before = await paymentRowsRead();
      const scanned = await scanChain({ db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL });
      const expired = await expirePayments({ db, chain: fx.chain, baseUrl: BASE_URL });
      const read = (await paymentRowsRead()) - before;
      expect(scanned.lastScannedBlock).toBe(await fx.publicClient.getBlockNumber());
      expect(expired.expired).toBe(0);
      return read;
    };

    // Right after the burst, before the statistics know of it (autovacuum analyses a grown table
    // within about a minute), and after. Before the watch indexes, expiry alone read all 10,000
    // rows in the first (a (chain, status) range, filtered row by row) and the native-payments
    // question ≥ 10,000 in both (it scanned the table); now a tick reads the address filter's 101
    // and little else.
    expect(await tick()).toBeLessThan(1_000);
    await db.$executeRaw`ANALYZE payments`;
    expect(await tick()).toBeLessThan(1_000);
  });

  it("finds the native deposit addresses to balance-check without reading the table", async () => {
    // Runs every `balanceCheckBlocks` blocks. Its question (native payments open or expired within
    // the window, or fiat-priced ones with a native option) is ORs across columns, which PostgreSQL
    // answers from the native and fiat partial indexes (a bitmap OR: 1 payment row read here) and
    // not by reading every payment ever made. The 10,000 pending USDC payments of the first test are
    // still there; the one native payment is what it must find.
    const eth = await fx.createPayment({ amount: "0.25" });
    await fx.mine(1);
    await scanChain({ db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL });
    const check = async () => {
      const before = await paymentRowsRead();
      const checked = await checkNativeBalances(
        { db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL },
        { force: true },
      );
      return { read: (await paymentRowsRead()) - before, checked };
    };
    const first = await check();
    expect(first.checked.addressesChecked).toBeGreaterThanOrEqual(1);
    expect(first.read).toBeLessThan(1_000);
    await db.$executeRaw`ANALYZE payments`;
    const second = await check();
    expect(second.checked.addressesChecked).toBe(first.checked.addressesChecked);
    expect(second.read).toBeLessThan(1_000);
    expect((await fx.payment(eth.id)).status).toBe("pending");
  });

  it("still reads ETH sent late to a native payment that expired, when every open payment is USDC", async () => {
    // The only native payment expires: "any watched native payment?" is then answered by the
    // expiry-window arm alone (no native payment is open), and the scan must still read blocks'
    // transactions for it.
    const eth = await fx.createPayment({ amount: "0.5", expiresIn: 60 });
    const expiry = Math.floor(new Date(eth.expires_at).getTime() / 1000) + 5;
    await fx.testClient.setNextBlockTimestamp({ timestamp: BigInt(expiry) });
    await fx.mine(1);
    await scanChain({ db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL });
    await expirePayments({ db, chain: fx.chain, baseUrl: BASE_URL });
    expect((await fx.payment(eth.id)).status).toBe("expired");

    await fx.sendEth(eth.address, parseEther("0.5"));
    await scanChain({ db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL });
    const row = await fx.payment(eth.id);
    expect(row).toMatchObject({ status: "expired", exception: "paid_late" });
    expect(row.amountReceived.toFixed()).toBe(parseEther("0.5").toString());
  });
});
