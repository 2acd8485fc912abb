// Fiat-priced payments on Anvil with real funds: quotes per option, one address, detection of every
// accepted coin, valuation at the quote or the block's rate, tolerance, re-quotes, unattributed transfers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { ZCheckoutObject } from "../checkout/checkout-object";
import { getCheckoutOrThrow } from "../checkout/get-checkout";
import { ZRatesConfig } from "../config/rates";
import { getPaymentDetailOrThrow } from "../dashboard/get-payment-detail";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { RateSources } from "../rates/rate-sources";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import {
  BASE_URL,
  OTHER_TOKEN_ADDRESS,
  type ScannerFixture,
  startScannerFixture,
} from "../testing/scanner-fixture";
import { createFiatPayment, type TCreateFiatPayment, ZCreatePaymentRequest } from "./create-fiat-payment";
import { getPaymentOrThrow } from "./get-payment";
import { recomputePayments } from "./recompute-payment";
import { requotePayment } from "./requote-payment";
import { resolveUnattributedTransfer } from "./resolve-unattributed-transfer";

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

const BOTH = [{ chain: "local", token: "USDC" }, { chain: "local" }];
/** 1 ETH = 3000 USD on the devnet (rates.yaml), so 20 USD = 0.00666… ETH, rounded up to the wei. */
const ETH_FOR_20_USD = 6_666_666_666_666_667n;

async function create(input: Partial<TCreateFiatPayment> = {}, now?: Date) {
  return createFiatPayment(
    {
      actor: OPERATOR,
      db: database.db,
      chains: [fx.chain],
      baseUrl: BASE_URL,
      now: now ?? (await fx.chainNow()),
    },
    fx.merchant.merchantId,
    { price: { amount: "20.00", currency: "USD" }, accepts: BOTH, ...input },
  );
}
const get = (id: string) =>
  getPaymentOrThrow({ db: database.db, actor: OPERATOR }, fx.merchant.merchantId, id, BASE_URL);
async function settle() {
  await fx.scan();
  await fx.mine(1);
  await fx.scan();
}

describe("fiat-priced payments", () => {
  it("quotes every accepted option on one address with EIP-681 URIs for each coin", async () => {
    const payment = await create();
    expect(payment.price).toEqual({ amount: "20.00", currency: "USD" });
    // No coin is named until a transfer picks one (DESIGN "Invoices priced in fiat"), in the API and
    // in the payment.created webhook.
    const noCoin = { chain: null, chain_id: null, token: null, amount: null, amount_base_units: null };
    expect(payment).toMatchObject({ ...noCoin, payment_uri: null });
    expect(await get(payment.id)).toMatchObject(noCoin);
    const created = await database.db.event.findFirstOrThrow({
      where: { objectId: payment.id, type: "payment.created" },
    });
    expect(created.data).toMatchObject(noCoin);
    expect(payment.options).toEqual([
      expect.objectContaining({
        chain: "local",
        chain_id: 31337,
        token: { symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 },
        amount: "20",
        amount_base_units: "20000000",
        rate: "1",
        payment_uri: `ethereum:${MOCK_USDC_ADDRESS}@31337/transfer?address=${payment.address}&uint256=20000000`,
      }),
      expect.objectContaining({
        token: { symbol: "ETH", address: null, decimals: 18 },
        amount_base_units: ETH_FOR_20_USD.toString(),
        rate: "3000",
        payment_uri: `ethereum:${payment.address}@31337?value=${ETH_FOR_20_USD}`,
      }),
    ]);
    // The merchant's default quote window: 15 minutes.
    const quoteExpiry = new Date(payment.options?.[0]?.quote_expires_at ?? 0).getTime();
    expect(quoteExpiry - new Date(payment.created_at).getTime()).toBe(15 * 60_000);
    expect(await get(payment.id)).toEqual(payment);
  });

  it("gives each of several fiat-priced payments created at once its own options", async () => {
    const dollars = [10n, 40n, 20n];
    const payments = await Promise.all(
      dollars.map((amount) => create({ price: { amount: `${amount}.00`, currency: "USD" } })),
    );
    for (const [index, payment] of payments.entries()) {
      const usd = dollars[index] ?? 0n;
      const stored = await get(payment.id);
      expect(stored).toEqual(payment);
      // USDC at 1, ETH at 3000 USD (rounded up to the wei).
      expect(stored.options?.map((option) => option.amount_base_units)).toEqual([
        (usd * 10n ** 6n).toString(),
        ((usd * 10n ** 18n + 2999n) / 3000n).toString(),
      ]);
    }
  });

  it("paid in USDC: confirmed on the fiat value, the paid option named", async () => {
    const payment = await create();
    await fx.sendToken(payment.address, 20_000_000n);
    await settle();
    const paid = await get(payment.id);
    expect(paid).toMatchObject({
      status: "confirmed",
      exception: null,
      value_received: "20.00",
      amount: "20",
    });
    expect(paid.token?.symbol).toBe("USDC");
    expect(paid.received).toEqual([expect.objectContaining({ chain: "local", amount: "20" })]);
    expect(paid.transfers[0]).toMatchObject({ value: "20.00", token: { symbol: "USDC" } });
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
    ]);
  });

  it("paid in ETH at the devnet rate", async () => {
    const payment = await create();
    await fx.sendEth(payment.address, ETH_FOR_20_USD);
    await settle();
    const paid = await get(payment.id);
    expect(paid).toMatchObject({ status: "confirmed", exception: null, value_received: "20.00" });
    expect(paid.token?.symbol).toBe("ETH");
    expect(paid.amount_received_base_units).toBe(ETH_FOR_20_USD.toString());
  });

  it("half in each coin: the values add up", async () => {
    const payment = await create();
    await fx.sendToken(payment.address, 10_000_000n);
    await fx.scan();
    expect(await get(payment.id)).toMatchObject({ status: "pending", value_received: "10.00" });
    await fx.sendEth(payment.address, ETH_FOR_20_USD / 2n + 1n);
    await settle();
    const paid = await get(payment.id);
    expect(paid).toMatchObject({ status: "confirmed", value_received: "20.00" });
    expect(paid.received?.map((coin) => [coin.token.symbol, coin.amount_base_units])).toEqual([
      ["USDC", "10000000"],
      ["ETH", (ETH_FOR_20_USD / 2n + 1n).toString()],
    ]);
    // The webhook payload carries the fiat value and the coin amounts.
    const confirmed = await database.db.event.findFirstOrThrow({
      where: { objectId: payment.id, type: "payment.confirmed" },
    });
    expect(confirmed.data).toMatchObject({ value_received: "20.00", received: [{ amount: "10" }, {}] });
    // The dashboard timeline shows each transfer in its own coin's decimals and symbol.
    const detail = await getPaymentDetailOrThrow(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      BASE_URL,
      [fx.chain],
    );
    expect(detail.transfers.map(({ amount, symbol }) => `${amount} ${symbol}`)).toEqual([
      "10 USDC",
      "0.003333333333333334 ETH",
    ]);
  });

  it("values a transfer at the locked quote inside the window and at the block's rate after it", async () => {
    const inside = await create();
    const after = await create();
    // Both were quoted at 2000 USD/ETH (an older rate); the devnet rate is now 3000.
    await database.db.paymentOption.updateMany({
      where: { paymentId: { in: [inside.id, after.id] }, tokenSymbol: "ETH" },
      data: { rate: "2000" },
    });
    await database.db.paymentOption.updateMany({
      where: { paymentId: after.id },
      data: { quoteExpiresAt: new Date((await fx.chainNow()).getTime() - 1000) },
    });
    await fx.sendEth(inside.address, ETH_FOR_20_USD);
    await fx.sendEth(after.address, ETH_FOR_20_USD);
    await settle();
    expect(await get(inside.id)).toMatchObject({ status: "pending", value_received: "13.33" });
    const late = await get(after.id);
    expect(late).toMatchObject({ status: "confirmed", value_received: "20.00" });
    expect(late.transfers[0]?.value).toBe("20.00");
  });

  it("confirms within the merchant's underpayment tolerance, overpaid above the price", async () => {
    await database.db.merchant.update({
      where: { id: fx.merchant.merchantId },
      data: { underpaymentToleranceBps: 100 },
    });
    try {
      const within = await create();
      const short = await create();
      const over = await create();
      await fx.sendToken(within.address, 19_800_000n);
      await fx.sendToken(short.address, 19_790_000n);
      await fx.sendToken(over.address, 25_000_000n);
      await settle();
      expect(await get(within.id)).toMatchObject({
        status: "confirmed",
        exception: null,
        value_received: "19.80",
      });
      expect(await get(short.id)).toMatchObject({ status: "pending", value_received: "19.79" });
      expect(await get(over.id)).toMatchObject({ status: "confirmed", exception: "overpaid" });
    } finally {
      await database.db.merchant.update({
        where: { id: fx.merchant.merchantId },
        data: { underpaymentToleranceBps: 0 },
      });
    }
  });

  it("re-quotes an unpaid payment whose quotes expired, once, with payment.requoted", async () => {
    const createdAt = await fx.chainNow();
    const payment = await create({}, createdAt);
    const deps = { db: database.db, chains: [fx.chain], baseUrl: BASE_URL };
    expect(
      await requotePayment({ ...deps, now: new Date(createdAt.getTime() + 60_000) }, payment.id),
    ).toBeNull();
    const later = new Date(createdAt.getTime() + 16 * 60_000);
    const [first, second] = await Promise.all([
      requotePayment({ ...deps, now: later }, payment.id),
      requotePayment({ ...deps, now: later }, payment.id),
    ]);
    const requoted = first ?? second;
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(requoted?.options?.[0]?.quote_expires_at).toBe(
      new Date(later.getTime() + 15 * 60_000).toISOString(),
    );
    expect(await fx.eventTypes(payment.id)).toEqual(["payment.created", "payment.requoted"]);
  });

  it("re-quotes what it can when a rate is unavailable, keeping the other option's old quote", async () => {
    const createdAt = await fx.chainNow();
    const payment = await create({}, createdAt);
    // Only the stablecoin has a rate now (every ETH source is down).
    const sources = new RateSources(ZRatesConfig.parse({ assets: { USDC: { peg: "USD" } } }));
    const later = new Date(createdAt.getTime() + 16 * 60_000);
    const requoted = await requotePayment(
      {
        db: database.db,
        chains: [fx.chain],
        baseUrl: BASE_URL,
        now: later,
        rates: { db: database.db, chains: [fx.chain], sources },
      },
      payment.id,
    );
    expect(requoted?.options?.map((o) => o.quote_expires_at)).toEqual([
      new Date(later.getTime() + 15 * 60_000).toISOString(),
      payment.options?.[1]?.quote_expires_at,
    ]);
  });

  it("records a non-accepted coin as an unattributed transfer the merchant resolves", async () => {
    const payment = await create({ accepts: [{ chain: "local", token: "USDC" }] });
    const eth = await fx.sendEth(payment.address, 10n ** 15n);
    await fx.sendToken(payment.address, 5_000_000n, OTHER_TOKEN_ADDRESS);
    await settle();
    const seen = await get(payment.id);
    expect(seen).toMatchObject({ status: "pending", value_received: "0.00", transfers: [] });
    expect(seen.unattributed_transfers).toEqual([
      expect.objectContaining({
        tx_hash: eth.transactionHash,
        token_address: null,
        amount_base_units: "1000000000000000",
        resolution: null,
      }),
      expect.objectContaining({
        token_address: OTHER_TOKEN_ADDRESS,
        amount_base_units: "5000000",
        resolution: null,
      }),
    ]);
    const resolved = await resolveUnattributedTransfer(
      { db: database.db, actor: OPERATOR, baseUrl: BASE_URL },
      fx.merchant.merchantId,
      payment.id,
      { chain: "local", tx_hash: eth.transactionHash, log_index: -1, resolution: "accepted" },
    );
    expect(resolved.unattributed_transfers?.[0]?.resolution).toBe("accepted");
    const audited = await database.db.auditLogEntry.findMany({
      where: { merchantId: fx.merchant.merchantId, action: "payment.unattributed_transfer_resolved" },
    });
    expect(audited).toEqual([
      expect.objectContaining({
        actorType: "operator",
        targetId: payment.id,
        details: {
          chain: "local",
          tx_hash: eth.transactionHash.toLowerCase(),
          log_index: -1,
          token_address: null,
          amount_base_units: "1000000000000000",
          resolution: "accepted",
        },
      }),
    ]);
    await expect(
      resolveUnattributedTransfer(
        { db: database.db, actor: OPERATOR, baseUrl: BASE_URL },
        fx.merchant.merchantId,
        payment.id,
        {
          chain: "local",
          tx_hash: eth.transactionHash,
          log_index: -1,
          resolution: "accepted",
        },
      ),
    ).rejects.toMatchObject({ code: "invalid_state" });
    expect(
      await database.db.auditLogEntry.count({
        where: { merchantId: fx.merchant.merchantId, action: "payment.unattributed_transfer_resolved" },
      }),
    ).toBe(1);
  });
});

describe("fiat-priced payments: checkout", () => {
  it("shows the remainder in every coin after a partial payment, and re-quotes expired quotes", async () => {
    const payment = await create();
    await fx.sendToken(payment.address, 10_000_000n);
    await fx.scan();
    const checkout = await getCheckoutOrThrow(database.db, [fx.chain], payment.id);
    expect(ZCheckoutObject.parse(checkout)).toEqual(checkout);
    expect(checkout.fiat).toMatchObject({
      price: { amount: "20.00", currency: "USD" },
      value_received: "10.00",
      value_remaining: "10.00",
      requoted: false,
    });
    expect(checkout.fiat?.options.map((o) => [o.token.symbol, o.amount_remaining])).toEqual([
      ["USDC", "10"],
      ["ETH", "0.003333333333333334"],
    ]);
    expect(checkout.fiat?.options[1]?.remaining_payment_uri).toBe(
      `ethereum:${payment.address}@31337?value=3333333333333334`,
    );

    await database.db.paymentOption.updateMany({
      where: { paymentId: payment.id },
      data: { quoteExpiresAt: new Date(Date.now() - 1000), rate: "1.5" },
    });
    const requoted = await getCheckoutOrThrow(database.db, [fx.chain], payment.id);
    expect(requoted.fiat?.requoted).toBe(true);
    expect(requoted.fiat?.options.map((o) => o.rate)).toEqual(["1", "3000"]);
    expect(new Date(requoted.fiat?.options[0]?.quote_expires_at ?? 0).getTime()).toBeGreaterThan(Date.now());
    expect((await getCheckoutOrThrow(database.db, [fx.chain], payment.id)).fiat?.requoted).toBe(false);
    expect(await fx.eventTypes(payment.id)).toContain("payment.requoted");
  });
});

describe("fiat-priced payments: validation", () => {
  const parse = (body: unknown) => ZCreatePaymentRequest.safeParse(body);
  it("takes exactly one of the two forms, the single-coin form unchanged", () => {
    expect(parse({ chain: "local", amount: "1" }).success).toBe(true);
    expect(parse({ price: { amount: "20.00", currency: "USD" } }).success).toBe(true);
    const mixed = parse({ price: { amount: "20.00", currency: "USD" }, chain: "local", amount: "1" });
    expect(mixed.error?.issues.map((issue) => issue.message)).toEqual([expect.stringContaining("chain")]);
    expect(parse({}).error?.issues.map((issue) => issue.path[0])).toEqual(["chain", "amount"]);
    expect(parse({ price: { amount: 20, currency: "USD" } }).success).toBe(false);
    expect(parse({ price: { amount: "20", currency: "US Dollar" } }).success).toBe(false);
    expect(parse({ price: { amount: "20", currency: "USD" }, accepts: [] }).success).toBe(false);
  });

  it("refuses an unsupported currency (400), too many decimals, unknown or repeated coins (422)", async () => {
    await expect(create({ price: { amount: "20", currency: "XYZ" } })).rejects.toMatchObject({ status: 400 });
    await expect(create({ price: { amount: "20.001", currency: "USD" } })).rejects.toMatchObject({
      code: "validation_failed",
      errors: [{ path: "price.amount" }],
    });
    await expect(create({ accepts: [{ chain: "mars" }] })).rejects.toMatchObject({
      errors: [{ path: "accepts.0.chain" }],
    });
    await expect(create({ accepts: [{ chain: "local", token: "DOGE" }] })).rejects.toMatchObject({
      errors: [{ path: "accepts.0.token" }],
    });
    await expect(
      create({ accepts: [{ chain: "local" }, { chain: "local", token: "eth" }] }),
    ).rejects.toMatchObject({
      errors: [{ path: "accepts.1.token" }],
    });
    // EURC has no rate (rates.yaml): 503, and no deposit index is spent on the refused payment.
    const before = await database.db.merchant.findUniqueOrThrow({ where: { id: fx.merchant.merchantId } });
    await expect(create({ accepts: [{ chain: "local", token: "EURC" }] })).rejects.toMatchObject({
      status: 503,
      code: "rate_unavailable",
    });
    const after = await database.db.merchant.findUniqueOrThrow({ where: { id: fx.merchant.merchantId } });
    expect(after.nextDepositIndex).toBe(before.nextDepositIndex);
    // By default every configured coin is offered, except one whose rate cannot be had right now.
    const byDefault = await create({ accepts: undefined });
    expect(byDefault.options?.map((option) => option.token.symbol)).toEqual(["ETH", "USDC"]);
  });
});

describe("fiat-priced payments: reorg", () => {
  it("a reorg that takes away one coin's transfer takes its value away, the other coin stays", async () => {
    const payment = await create();
    await fx.sendToken(payment.address, 10_000_000n);
    await fx.scan();
    const snapshot = await fx.testClient.snapshot();
    await fx.sendEth(payment.address, ETH_FOR_20_USD / 2n + 1n);
    await settle();
    expect(await get(payment.id)).toMatchObject({ status: "confirmed", value_received: "20.00" });

    await fx.testClient.revert({ id: snapshot });
    await fx.mine(10);
    await fx.scan();
    const reverted = await get(payment.id);
    expect(reverted).toMatchObject({ status: "pending", exception: null, value_received: "10.00" });
    expect(reverted.token?.symbol).toBe("USDC");
    expect(reverted.received?.map((coin) => coin.token.symbol)).toEqual(["USDC"]);
    expect(await fx.eventTypes(payment.id)).toContain("payment.reverted");
  });
});

describe("fiat-priced payments: options on chains with different confirmation rules", () => {
  it("a transfer on a chain that needs more confirmations is confirmed by that chain's rule only", async () => {
    // A second chain needing 20 confirmations where the payment's first option's chain needs fewer.
    const slow = { ...fx.chain, name: "slow", chainId: 31_338, confirmations: 20 };
    const payment = await createFiatPayment(
      {
        actor: OPERATOR,
        db: database.db,
        chains: [fx.chain, slow],
        baseUrl: BASE_URL,
        now: await fx.chainNow(),
        // The devnet's fixed rates, for the second chain too.
        rates: {
          db: database.db,
          chains: [fx.chain, slow],
          sources: new RateSources(
            ZRatesConfig.parse({
              assets: { USDC: { peg: "USD" } },
              chains: { slow: { ETH: { fixed: { USD: "3000" } } } },
            }),
          ),
        },
      },
      fx.merchant.merchantId,
      {
        price: { amount: "20.00", currency: "USD" },
        accepts: [{ chain: "local", token: "USDC" }, { chain: "slow" }],
      },
    );
    expect(payment.required_confirmations).toBeLessThan(5);
    // What the "slow" chain's scanner records: the whole price in ETH, 5 blocks deep (of 20).
    const recordSlowTransfer = (status: "confirming" | "confirmed", confirmations: number) =>
      database.db.$executeRaw`
        INSERT INTO transfers (id, chain, tx_hash, log_index, payment_id, token_address, from_address, to_address,
          amount, block_number, block_hash, block_timestamp, status, confirmations, fiat_value, fiat_rate,
          created_at, updated_at)
        VALUES ('trf_slow_' || ${payment.id}, 'slow', '0x' || repeat('ab', 32), -1, ${payment.id}, NULL,
          '0x' || repeat('11', 20), ${payment.address}, ${ETH_FOR_20_USD.toString()}::numeric, 100,
          '0x' || repeat('cd', 32), now(), ${status}::transfer_status, ${confirmations}, 2000, '3000', now(), now())
        ON CONFLICT (chain, tx_hash, log_index) DO UPDATE SET status = EXCLUDED.status,
          confirmations = EXCLUDED.confirmations`;
    const recompute = () =>
      database.db.$transaction((tx) =>
        recomputePayments(tx, {
          paymentIds: [payment.id],
          baseUrl: BASE_URL,
          now: new Date(),
          chainTime: null,
          reason: "scan",
        }),
      );
    await recordSlowTransfer("confirming", 5);
    await recompute();
    // Paid, but 5 confirmations are not the slow chain's 20, whatever the first option's chain needs.
    expect(await get(payment.id)).toMatchObject({ status: "detected", value_received: "20.00" });
    await recordSlowTransfer("confirmed", 20);
    await recompute();
    expect(await get(payment.id)).toMatchObject({ status: "confirmed", value_received: "20.00" });
  });
});
