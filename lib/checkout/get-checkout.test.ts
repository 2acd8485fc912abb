import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { forcePaymentStateForTests } from "../testing/force-payment-state";
import { markPaymentConfirmedForTest } from "../testing/mark-payment-confirmed";
import { testChain } from "../testing/test-chain";
import { ZCheckoutObject } from "./checkout-object";
import { getCheckoutOrThrow } from "./get-checkout";

let database: TestDatabase;
let merchantId: string;
const USDC = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const chains = () => [testChain({ tokens: [{ symbol: "USDC", address: USDC, decimals: 6 }] })];

beforeAll(async () => {
  database = await createTestDatabase();
  ({ merchantId } = await createMerchant(
    database.db,
    { name: "Coffee Shop", email: "checkout@example.com", password: "correct horse battery" },
    DEVELOPMENT_MNEMONIC,
  ));
  await database.db.merchant.update({ where: { id: merchantId }, data: { brandColor: "#0f766e" } });
});
afterAll(() => database.drop());

const create = (input: Parameters<typeof createPayment>[2]) =>
  createPayment(
    { actor: OPERATOR, db: database.db, chains: chains(), baseUrl: "http://pay.test" },
    merchantId,
    input,
  );

describe("getCheckoutOrThrow", () => {
  it("returns exactly the public projection: no merchant id, order id, metadata or derivation data", async () => {
    const payment = await create({
      chain: "local",
      token: "USDC",
      amount: "12.5",
      order_id: "order-secret-42",
      description: "2 flat whites",
      metadata: { internal_customer_id: "cus_secret" },
      redirect_url: "https://shop.example/thanks",
    });
    const checkout = await getCheckoutOrThrow(database.db, chains(), payment.id);

    expect(ZCheckoutObject.parse(checkout)).toEqual(checkout); // strict schema: no extra keys
    expect(checkout).toMatchObject({
      id: payment.id,
      status: "pending",
      merchant: { name: "Coffee Shop", brand_color: "#0f766e" },
      chain: { name: "local", chain_id: 31337, native_currency: { symbol: "ETH", decimals: 18 } },
      token: { symbol: "USDC", address: USDC, decimals: 6 },
      amount: "12.5",
      amount_remaining: "12.5",
      address: payment.address,
      payment_uri: payment.payment_uri,
      remaining_payment_uri: payment.payment_uri,
      description: "2 flat whites",
      redirect_url: "https://shop.example/thanks",
    });
    const serialized = JSON.stringify(checkout);
    for (const secret of [merchantId, "order-secret-42", "cus_secret", "internal_customer_id"])
      expect(serialized).not.toContain(secret);
    for (const key of [
      "merchant_id",
      "order_id",
      "metadata",
      "derivation_index",
      "transfers",
      "checkout_url",
    ])
      expect(Object.keys(checkout)).not.toContain(key);
  });

  it("shows the remaining amount and its own EIP-681 URI after a partial payment", async () => {
    const payment = await create({ chain: "local", token: "USDC", amount: "10" });
    await forcePaymentStateForTests(database.db, payment.id, {
      status: "pending",
      amountReceivedBaseUnits: 4_250_000n,
    });
    const checkout = await getCheckoutOrThrow(database.db, chains(), payment.id);
    expect(checkout.amount_received).toBe("4.25");
    expect(checkout.amount_remaining).toBe("5.75");
    expect(checkout.amount_remaining_base_units).toBe("5750000");
    expect(checkout.remaining_payment_uri).toBe(
      `ethereum:${USDC}@31337/transfer?address=${payment.address}&uint256=5750000`,
    );
  });

  it("has nothing due once detected, and confirmations progress", async () => {
    const payment = await create({ chain: "local", amount: "0.01" });
    await forcePaymentStateForTests(database.db, payment.id, {
      status: "detected",
      amountReceivedBaseUnits: 10_000_000_000_000_000n,
      confirmations: 1,
    });
    const checkout = await getCheckoutOrThrow(database.db, chains(), payment.id);
    expect(checkout).toMatchObject({
      status: "detected",
      amount_remaining: "0",
      remaining_payment_uri: null,
      confirmations: 1,
      required_confirmations: 2,
      token: { symbol: "ETH", address: null, decimals: 18 },
    });
  });

  it("asks for nothing once expired or canceled, even with an amount outstanding", async () => {
    const payment = await create({ chain: "local", token: "USDC", amount: "10" });
    await forcePaymentStateForTests(database.db, payment.id, {
      status: "expired",
      exception: "underpaid",
      amountReceivedBaseUnits: 1_000_000n,
    });
    const checkout = await getCheckoutOrThrow(database.db, chains(), payment.id);
    expect(checkout).toMatchObject({ status: "expired", exception: "underpaid", amount_remaining: "9" });
    expect(checkout.remaining_payment_uri).toBeNull();
  });

  it("has a receipt only once paid: the order id, the paying transactions with explorer links, the time", async () => {
    const payment = await create({ chain: "local", amount: "0.5", order_id: "order-77" });
    expect((await getCheckoutOrThrow(database.db, chains(), payment.id)).receipt).toBeNull();
    const txHash = `0x${"ab".repeat(32)}` as const;
    await markPaymentConfirmedForTest(database.db, {
      paymentId: payment.id,
      txHash,
      logIndex: -1,
      fromAddress: "0x000000000000000000000000000000000000dEaD",
      amount: 500_000_000_000_000_000n,
      blockNumber: 7n,
      blockHash: `0x${"cd".repeat(32)}`,
    });
    const withExplorer = [{ ...chains()[0], explorerUrl: "https://explorer.example/" }] as ReturnType<
      typeof chains
    >;
    const checkout = await getCheckoutOrThrow(database.db, withExplorer, payment.id);
    expect(ZCheckoutObject.parse(checkout)).toEqual(checkout);
    expect(checkout.receipt).toEqual({
      paid_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      order_id: "order-77",
      transactions: [
        { tx_hash: txHash, amount: "0.5", explorer_url: `https://explorer.example/tx/${txHash}` },
      ],
    });
    // Without an explorer in chains.yaml the hash is shown without a link.
    const plain = await getCheckoutOrThrow(database.db, chains(), payment.id);
    expect(plain.receipt?.transactions[0]?.explorer_url).toBeNull();
  });

  it("drops a brand colour that is not a #rrggbb value (it is injected into CSS)", async () => {
    await database.db.merchant.update({
      where: { id: merchantId },
      data: { brandColor: "red;background:url(https://evil.example)" },
    });
    const payment = await create({ chain: "local", amount: "1" });
    const checkout = await getCheckoutOrThrow(database.db, chains(), payment.id);
    expect(checkout.merchant.brand_color).toBeNull();
  });

  it("is a not_found AppError for unknown and malformed ids", async () => {
    await expect(
      getCheckoutOrThrow(database.db, chains(), "pay_0000000000000000000000"),
    ).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(getCheckoutOrThrow(database.db, chains(), "../../etc/passwd")).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
