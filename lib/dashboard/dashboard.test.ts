import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { cancelPayment } from "../payments/cancel-payment";
import { createPayment } from "../payments/create-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { exportPaymentsCsv } from "./export-payments-csv";
import { getDashboardOverview } from "./get-dashboard-overview";
import { getPaymentDetailOrThrow } from "./get-payment-detail";
import { getReceivedVolume } from "./get-received-volume";
import { ZNewPaymentForm } from "./payment-form";
import { dateRangeError, searchPayments, ZDashboardPaymentsQuery } from "./search-payments";

let database: TestDatabase;
let merchantA: string;
let merchantB: string;
const baseUrl = "http://pay.test";

const create = (merchantId: string, input: Parameters<typeof createPayment>[2]) =>
  createPayment({ actor: OPERATOR, db: database.db, chains: [testChain()], baseUrl }, merchantId, input);

beforeAll(async () => {
  database = await createTestDatabase();
  const make = (name: string) =>
    createMerchant(
      database.db,
      { name, email: `${name}@example.com`, password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    );
  merchantA = (await make("a")).merchantId;
  merchantB = (await make("b")).merchantId;
});
afterAll(() => database.drop());

describe("dashboard services", () => {
  it("scopes overview, search and detail to the merchant: another merchant's payment is not_found", async () => {
    const mine = await create(merchantA, { chain: "local", amount: "1", order_id: "A-1" });
    const theirs = await create(merchantB, { chain: "local", amount: "2", order_id: "B-1" });
    await cancelPayment({ db: database.db, actor: OPERATOR }, merchantA, mine.id, baseUrl);

    const overview = await getDashboardOverview(database.db, merchantA, baseUrl);
    expect(overview.total).toBe(1);
    expect(overview.countsByStatus).toMatchObject({ canceled: 1, pending: 0 });
    expect(overview.recentPayments.map((p) => p.id)).toEqual([mine.id]);

    const search = (merchantId: string, q: string) =>
      searchPayments(database.db, merchantId, ZDashboardPaymentsQuery.parse({ q }), baseUrl);
    expect((await search(merchantA, theirs.id)).data).toEqual([]);
    expect((await search(merchantA, "B-1")).data).toEqual([]);
    expect((await search(merchantB, theirs.address.toLowerCase())).data.map((p) => p.id)).toEqual([
      theirs.id,
    ]);

    await expect(
      getPaymentDetailOrThrow({ db: database.db, actor: OPERATOR }, merchantA, theirs.id, baseUrl),
    ).rejects.toMatchObject({
      code: "not_found",
    });
    const detail = await getPaymentDetailOrThrow(
      { db: database.db, actor: OPERATOR },
      merchantA,
      mine.id,
      baseUrl,
    );
    expect(detail.timeline.map((entry) => [entry.fromStatus, entry.toStatus])).toEqual([
      [null, "pending"],
      ["pending", "canceled"],
    ]);
    expect(detail.cancelable).toBe(false);
  });

  it("searches by id, address and order id, filters by status and paginates with a cursor", async () => {
    const { merchantId } = await createMerchant(
      database.db,
      { name: "c", email: "c@example.com", password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    );
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(await create(merchantId, { chain: "local", amount: `${i + 1}`, order_id: `ord-${i}` }));
    const query = (raw: Record<string, string>) => ZDashboardPaymentsQuery.parse(raw);

    expect(
      (await searchPayments(database.db, merchantId, query({ q: "ord-3" }), baseUrl)).data.map((p) => p.id),
    ).toEqual([created[3]?.id]);
    expect(
      (await searchPayments(database.db, merchantId, query({ q: created[1]?.id ?? "" }), baseUrl)).data,
    ).toHaveLength(1);
    expect(
      (await searchPayments(database.db, merchantId, query({ status: "canceled" }), baseUrl)).data,
    ).toEqual([]);

    // Prefix and any letter case: order id, payment id, deposit address and a transfer's hash.
    const found = async (q: string) =>
      (await searchPayments(database.db, merchantId, query({ q }), baseUrl)).data.map((p) => p.id);
    expect(await found("ORD-")).toHaveLength(5);
    expect(await found((created[2]?.id ?? "").slice(0, 12).toUpperCase())).toEqual([created[2]?.id]);
    expect(await found((created[4]?.address ?? "").slice(0, 14).toUpperCase().replace("0X", "0x"))).toEqual([
      created[4]?.id,
    ]);
    const txHash = `0x${"AbC1".repeat(16)}`;
    await database.db.transfer.create({
      data: {
        id: `tr_${created[0]?.id}`,
        chain: "local",
        txHash,
        logIndex: -1,
        paymentId: created[0]?.id,
        fromAddress: "0x000000000000000000000000000000000000dEaD",
        toAddress: created[0]?.address ?? "",
        amount: "1",
        blockNumber: 1n,
        blockHash: `0x${"0".repeat(64)}`,
        blockTimestamp: new Date(),
      },
    });
    expect(await found(txHash.slice(0, 10).toLowerCase())).toEqual([created[0]?.id]);
    expect(await found("nothing-like-this")).toEqual([]);
    expect(dateRangeError({ from: "2026-12-07", to: "2026-12-01" })).toMatch(/after the end date/);
    expect(dateRangeError({ from: "2026-12-01", to: "2026-12-01" })).toBeNull();
    expect(dateRangeError({ from: "2026-12-01" })).toBeNull();

    const first = await searchPayments(database.db, merchantId, query({}), baseUrl, 2);
    expect(first.has_more).toBe(true);
    const second = await searchPayments(
      database.db,
      merchantId,
      query({ after: first.next_cursor ?? "" }),
      baseUrl,
      2,
    );
    const third = await searchPayments(
      database.db,
      merchantId,
      query({ after: second.next_cursor ?? "" }),
      baseUrl,
      2,
    );
    const ids = [...first.data, ...second.data, ...third.data].map((p) => p.id);
    expect(ids).toEqual(created.map((p) => p.id).reverse());
    expect(third.has_more).toBe(false);

    // Garbage in the query string falls back to no filter instead of an error page.
    expect(query({ status: "bogus", after: "nope" })).toEqual({
      status: undefined,
      q: undefined,
      after: undefined,
    });
  });

  it("maps the new-payment form to the createPayment input", () => {
    expect(
      ZNewPaymentForm.parse({
        chain: "local",
        token: "USDC",
        amount: " 12.5 ",
        expires_in_minutes: "45",
        order_id: "",
        description: "Tea",
      }),
    ).toEqual({ chain: "local", token: "USDC", amount: "12.5", expires_in: 2700, description: "Tea" });
    expect(
      ZNewPaymentForm.safeParse({ chain: "local", token: "ETH", amount: "1", expires_in_minutes: "0" })
        .success,
    ).toBe(false);
  });
});

describe("CSV export", () => {
  it("exports every matching payment across pages with exact amounts and escaped text", async () => {
    const { merchantId } = await createMerchant(
      database.db,
      { name: "csv", email: "csv@example.com", password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    );
    await create(merchantId, { chain: "local", amount: "0.000000000000000001", description: 'say "hi", ok' });
    await create(merchantId, { chain: "local", amount: "1234567.5", order_id: "=HYPERLINK(1)" });
    await create(merchantId, { chain: "local", amount: "3" });
    let csv = "";
    for await (const chunk of exportPaymentsCsv(database.db, merchantId, {}, baseUrl, 2)) csv += chunk;
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "id,created_at,status,exception,chain,token,amount,amount_received,address,order_id,description,expires_at,confirmed_at,settled_at,price_amount,price_currency,value_received",
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(",3,0,");
    expect(lines[2]).toContain(",1234567.5,0,");
    expect(lines[2]).toContain(",'=HYPERLINK(1),");
    expect(lines[3]).toContain(",0.000000000000000001,0,");
    expect(lines[3]).toContain(',"say ""hi"", ok",');
  });
});

describe("payment filters", () => {
  it("filters by chain, token (any case) and UTC creation day, inclusive", async () => {
    const { merchantId } = await createMerchant(
      database.db,
      { name: "filters", email: "filters@example.com", password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    );
    const chains = [
      testChain({
        tokens: [{ symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 }],
      }),
    ];
    const at = (iso: string, token: string) =>
      createPayment({ actor: OPERATOR, db: database.db, chains, baseUrl, now: new Date(iso) }, merchantId, {
        chain: "local",
        token,
        amount: "1",
      });
    const early = await at("2026-01-01T23:59:59Z", "ETH");
    const middle = await at("2026-01-02T00:00:00Z", "USDC");
    const late = await at("2026-01-05T12:00:00Z", "USDC");
    const ids = async (raw: Record<string, string>) =>
      (await searchPayments(database.db, merchantId, ZDashboardPaymentsQuery.parse(raw), baseUrl)).data.map(
        (p) => p.id,
      );

    expect(await ids({ token: "usdc" })).toEqual([late.id, middle.id]);
    expect(await ids({ from: "2026-01-02" })).toEqual([late.id, middle.id]);
    expect(await ids({ to: "2026-01-02" })).toEqual([middle.id, early.id]);
    expect(await ids({ from: "2026-01-02", to: "2026-01-02", token: "USDC" })).toEqual([middle.id]);
    expect(await ids({ chain: "other" })).toEqual([]);
    expect(await ids({ chain: "local", from: "not-a-day" })).toHaveLength(3);
  });
});

describe("received volume", () => {
  it("sums confirmed and settled payments per token and UTC day over the window, exactly", async () => {
    const { merchantId } = await createMerchant(
      database.db,
      { name: "volume", email: "volume@example.com", password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    );
    const chains = [
      testChain({
        tokens: [{ symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 }],
      }),
    ];
    const paid = async (
      token: string,
      amount: string,
      received: bigint,
      confirmedAt: string,
      status: "confirmed" | "settled" | "detected" = "confirmed",
    ) => {
      const payment = await createPayment({ actor: OPERATOR, db: database.db, chains, baseUrl }, merchantId, {
        chain: "local",
        token,
        amount,
      });
      await database.db.payment.update({
        where: { id: payment.id },
        data: {
          status,
          amountReceived: received.toString(),
          confirmedAt: status === "detected" ? null : new Date(confirmedAt),
        },
      });
    };
    await paid("USDC", "10", 10_000_000n, "2026-03-10T01:00:00Z");
    await paid("USDC", "0.000001", 1n, "2026-03-10T23:59:59Z", "settled");
    await paid("USDC", "5", 6_000_000n, "2026-03-01T00:00:00Z"); // overpaid: the received amount counts
    await paid("USDC", "7", 7_000_000n, "2026-02-01T00:00:00Z"); // before the window
    await paid("USDC", "9", 9_000_000n, "2026-03-10T00:00:00Z", "detected"); // not confirmed
    await paid("ETH", "0.5", 500_000_000_000_000_000n, "2026-03-09T12:00:00Z");

    const volume = await getReceivedVolume(database.db, merchantId, {
      days: 30,
      now: new Date("2026-03-10T12:00:00Z"),
    });
    const usdc = volume.find((series) => series.symbol === "USDC");
    const eth = volume.find((series) => series.symbol === "ETH");
    expect(usdc?.days).toHaveLength(30);
    expect(usdc?.days[0]?.day).toBe("2026-02-09");
    expect(usdc?.days.at(-1)).toEqual({
      day: "2026-03-10",
      amountBaseUnits: "10000001",
      amount: "10.000001",
    });
    expect(usdc?.days.find((day) => day.day === "2026-03-01")?.amount).toBe("6");
    expect(usdc?.total).toBe("16.000001");
    expect(eth?.total).toBe("0.5");
  });
});
