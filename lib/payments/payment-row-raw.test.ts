// The raw read path (one statement on pg) hands serializePayment exactly what Prisma's PAYMENT_SELECT
// does: the same public object for every kind of payment, with real funds moved on Anvil.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { readCheckoutRow } from "../checkout/checkout-row";
import type { Db } from "../db/client";
import { rawPool } from "../db/raw-pool";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { CURSOR_SELECT } from "../http/pagination";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import {
  BASE_URL,
  OTHER_TOKEN_ADDRESS,
  type ScannerFixture,
  startScannerFixture,
} from "../testing/scanner-fixture";
import { createFiatPayment } from "./create-fiat-payment";
import { createPayment } from "./create-payment";
import { getPaymentOrThrow, readPaymentRowPrisma } from "./get-payment";
import { listPaymentRowsPrisma, listPayments, ZListPaymentsQuery } from "./list-payments";
import { serializePayment } from "./payment-object";
import { readPaymentRow, readPaymentRows } from "./payment-row-raw";

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database, {
    tokens: [
      { symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 },
      { symbol: "EURC", address: OTHER_TOKEN_ADDRESS, decimals: 6 },
    ],
  });
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

const deps = () => ({ db: database.db, actor: OPERATOR, chains: [fx.chain], baseUrl: BASE_URL });

/** Both paths' public objects for `id` (and that the raw one is what the API serves). */
async function bothPaths(id: string, merchantId = fx.merchant.merchantId) {
  const pool = await rawPool(database.db);
  if (!pool) throw new Error("the test database has no raw pool");
  const raw = await readPaymentRow(pool, merchantId, id);
  const prisma = await readPaymentRowPrisma(database.db, merchantId, id);
  if (!raw || !prisma) throw new Error(`payment ${id} not found on one path`);
  const served = await getPaymentOrThrow(deps(), merchantId, id, BASE_URL);
  return { raw: serializePayment(raw, BASE_URL), prisma: serializePayment(prisma, BASE_URL), served };
}

async function settle() {
  await fx.scan();
  await fx.mine(1);
  await fx.scan();
}

describe("raw payment read path", () => {
  it("equals the Prisma path for single-coin, fiat multi-option, partly paid and refunded payments", async () => {
    const now = await fx.chainNow();
    const single = await createPayment({ ...deps(), now }, fx.merchant.merchantId, {
      chain: "local",
      token: "USDC",
      amount: "12.5",
      order_id: "order-1",
      description: "single coin",
      metadata: { cart: "1,2", note: "ü", n: 3 },
      redirect_url: "https://shop.example/thanks",
    });
    const fiat = await createFiatPayment({ ...deps(), now }, fx.merchant.merchantId, {
      price: { amount: "20.00", currency: "USD" },
      accepts: [{ chain: "local", token: "USDC" }, { chain: "local" }],
    });
    const partly = await createFiatPayment({ ...deps(), now }, fx.merchant.merchantId, {
      price: { amount: "20.00", currency: "USD" },
      accepts: [{ chain: "local", token: "USDC" }, { chain: "local" }],
    });
    const paid = await createPayment({ ...deps(), now }, fx.merchant.merchantId, {
      chain: "local",
      token: "USDC",
      amount: "1",
    });
    const refunded = await createFiatPayment({ ...deps(), now }, fx.merchant.merchantId, {
      price: { amount: "5.00", currency: "USD" },
      accepts: [{ chain: "local", token: "USDC" }],
    });
    await fx.sendToken(single.address, 2_500_000n); // partly paid single-coin
    await fx.sendToken(partly.address, 10_000_000n); // half of 20 USD in USDC
    await fx.sendEth(partly.address, 10n ** 15n);
    await fx.sendToken(paid.address, 1_000_000n);
    await fx.sendToken(paid.address, 7n); // overpaid by 7 base units
    await fx.sendToken(refunded.address, 3_000_000n, OTHER_TOKEN_ADDRESS); // not accepted: unattributed
    await settle();
    // The unattributed EURC transfer refunded (the refund's payout is not this test's subject).
    await database.db.transfer.updateMany({
      where: { unattributedPaymentId: refunded.id },
      data: { resolution: "refunded", resolvedAt: new Date(), refundAddress: fx.payer },
    });
    // ...with the sweep sending it back (planned, nothing signed yet).
    const stray = await database.db.transfer.findFirstOrThrow({
      where: { unattributedPaymentId: refunded.id },
    });
    await database.db.sweep.create({
      data: {
        id: "swp_rawpathrefund00000000",
        merchantId: fx.merchant.merchantId,
        paymentId: refunded.id,
        transferId: stray.id,
        chain: "local",
        tokenAddress: OTHER_TOKEN_ADDRESS,
        fromAddress: refunded.address,
        toAddress: fx.payer,
        mode: "treasury",
        amount: "0",
      },
    });

    const seen = [];
    for (const payment of [single, fiat, partly, paid, refunded]) {
      const { raw, prisma, served } = await bothPaths(payment.id);
      expect(raw).toEqual(prisma);
      expect(served).toEqual(prisma);
      seen.push(raw);
    }
    // The cases are what their names say (so the comparison covered each part of the object).
    expect(seen[0]).toMatchObject({ order_id: "order-1", metadata: { cart: "1,2", note: "ü", n: 3 } });
    expect(seen[0]?.transfers).toHaveLength(1);
    expect(seen[1]?.options).toHaveLength(2);
    expect(seen[2]?.transfers).toHaveLength(2);
    expect(seen[2]?.value_received).not.toBe("0.00");
    expect(seen[3]).toMatchObject({ exception: "overpaid" });
    expect(seen[4]?.unattributed_transfers).toEqual([
      expect.objectContaining({
        resolution: "refunded",
        refund_address: fx.payer,
        sweep: { id: "swp_rawpathrefund00000000", status: "pending", tx_hash: null },
      }),
    ]);

    // The checkout's row: raw (one statement with the merchant) == Prisma (on a transaction client).
    const plain = (row: Awaited<ReturnType<typeof readCheckoutRow>>) =>
      row && { ...row, amount: row.amount.toFixed(), amountReceived: row.amountReceived.toFixed() };
    for (const payment of [single, fiat, paid]) {
      const raw = await readCheckoutRow(database.db, payment.id);
      const prisma = await database.db.$transaction((tx) => readCheckoutRow(tx as unknown as Db, payment.id));
      expect(raw?.merchant.name).toBe("Scanner shop");
      expect(plain(raw)).toEqual(plain(prisma));
    }
  });

  it("lists: the raw page equals the Prisma page for every filter and the cursor", async () => {
    const merchantId = fx.merchant.merchantId;
    const all = await listPayments(deps(), merchantId, ZListPaymentsQuery.parse({ limit: "100" }), BASE_URL);
    expect(all.data.length).toBeGreaterThanOrEqual(5);
    const middle = all.data[2];
    if (!middle) throw new Error("not enough payments");
    const queries = [
      { limit: "2" },
      { limit: "2", starting_after: middle.id },
      { status: "pending" },
      { order_id: "order-1" },
      { chain: "local", token: "usdc" },
      { token: "ETH" },
      { "created[gte]": middle.created_at, "created[lte]": middle.created_at },
      { chain: "elsewhere" },
    ];
    for (const input of queries) {
      const query = ZListPaymentsQuery.parse(input);
      const served = await listPayments(deps(), merchantId, query, BASE_URL);
      const cursor = query.starting_after
        ? await database.db.payment.findFirst({ where: { id: query.starting_after }, select: CURSOR_SELECT })
        : null;
      const prisma = await listPaymentRowsPrisma(database.db, merchantId, query, cursor);
      expect(served.data, JSON.stringify(input)).toEqual(
        prisma.slice(0, query.limit).map((row) => serializePayment(row, BASE_URL)),
      );
      expect(served.has_more).toBe(prisma.length > query.limit);
    }
    const page = await listPayments(deps(), merchantId, ZListPaymentsQuery.parse({ limit: "2" }), BASE_URL);
    expect(page).toMatchObject({ has_more: true, next_cursor: page.data[1]?.id });
    // The list the dashboard's transaction client reads (Prisma) is the same page.
    const inTransaction = await database.db.$transaction((tx) =>
      listPayments(
        { ...deps(), db: tx as unknown as Db },
        merchantId,
        ZListPaymentsQuery.parse({ limit: "100" }),
        BASE_URL,
      ),
    );
    expect(inTransaction).toEqual(all);
  });

  it("scopes by merchant: another merchant's payment id is a 404 on the raw path", async () => {
    const other = await createMerchant(database.db, {
      name: "Other shop",
      email: `other-${Date.now()}@example.com`,
      password: "correct horse battery",
    });
    const theirs = await createPayment({ ...deps(), now: await fx.chainNow() }, other.merchantId, {
      chain: "local",
      token: "USDC",
      amount: "1",
    });
    await expect(
      getPaymentOrThrow(deps(), fx.merchant.merchantId, theirs.id, BASE_URL),
    ).rejects.toMatchObject({
      status: 404,
    });
    const pool = await rawPool(database.db);
    expect(pool && (await readPaymentRow(pool, fx.merchant.merchantId, theirs.id))).toBeUndefined();
    expect((await getPaymentOrThrow(deps(), other.merchantId, theirs.id, BASE_URL)).id).toBe(theirs.id);
  });

  it("reads the same instants when the database session runs in another time zone (timestamps arrive as text)", async () => {
    // Each row arrives as one json value, so its timestamps are text with the session's offset:
    // a server configured with TimeZone = Asia/Kolkata (+05:30) must still give the same Dates.
    const pool = new pg.Pool({
      connectionString: database.databaseUrl,
      max: 1,
      options: "-c TimeZone=Asia/Kolkata",
    });
    try {
      const payment = await createPayment({ ...deps(), now: await fx.chainNow() }, fx.merchant.merchantId, {
        chain: "local",
        token: "USDC",
        amount: "3",
      });
      const { rows } = await pool.query<{ j: { expires_at: string } }>(
        "SELECT row_to_json(p) AS j FROM payments p WHERE p.id = $1",
        [payment.id],
      );
      expect(rows[0]?.j.expires_at).toMatch(/\+05:30$/);
      const raw = await readPaymentRow(pool, fx.merchant.merchantId, payment.id);
      const prisma = await readPaymentRowPrisma(database.db, fx.merchant.merchantId, payment.id);
      expect(raw?.expiresAt).toBeInstanceOf(Date);
      expect(raw).toEqual(prisma && { ...prisma, amount: raw?.amount, amountReceived: raw?.amountReceived });
      expect(raw && serializePayment(raw, BASE_URL)).toEqual(prisma && serializePayment(prisma, BASE_URL));
      const [page] = await readPaymentRows(pool, fx.merchant.merchantId, { after: null, take: 1 });
      expect(page?.createdAt.getTime()).toBe(
        (
          await readPaymentRowPrisma(database.db, fx.merchant.merchantId, page?.id ?? "")
        )?.createdAt.getTime(),
      );
    } finally {
      await pool.end();
    }
  });

  it("runs the hot reads as named prepared statements: parsed once per connection, then reused", async () => {
    const pool = new pg.Pool({ connectionString: database.databaseUrl, max: 1 });
    try {
      const payment = await createPayment({ ...deps(), now: await fx.chainNow() }, fx.merchant.merchantId, {
        chain: "local",
        token: "USDC",
        amount: "2",
      });
      const prepared = async () =>
        (
          await pool.query<{ name: string; statement: string; calls: string }>(
            "SELECT name, statement, generic_plans + custom_plans AS calls FROM pg_prepared_statements ORDER BY name",
          )
        ).rows;
      expect(await prepared()).toEqual([]);
      for (let i = 0; i < 3; i++) {
        expect((await readPaymentRow(pool, fx.merchant.merchantId, payment.id))?.id).toBe(payment.id);
      }
      const [statement] = await prepared();
      expect(statement?.name).toMatch(/^ctrip_[0-9a-f]{24}$/);
      expect(statement?.statement).toContain("WHERE p.id = $1 AND p.merchant_id = $2");
      // One statement for the three reads on this connection: parsed once, run three times.
      expect(Number(statement?.calls)).toBe(3);
      await readPaymentRows(pool, fx.merchant.merchantId, { status: "pending", after: null, take: 2 });
      await readPaymentRows(pool, fx.merchant.merchantId, { after: null, take: 2 });
      expect((await prepared()).length).toBe(3);
    } finally {
      await pool.end();
    }
  });
});
