// The payment page's sweep and webhook deliveries, and the webhooks page's delivery log: a real
// database, a real Anvil node moving real ETH, and a real local HTTP receiver.

import { randomBytes } from "node:crypto";
import { type Hex, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { explorerTxUrl } from "../chains/explorer-url";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { formatAmount } from "../money/amounts";
import { createPayment } from "../payments/create-payment";
import { advanceSweep } from "../settlement/advance-sweep";
import { planSweeps } from "../settlement/plan-sweeps";
import { ZSweepObject } from "../settlement/sweep-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { testChain } from "../testing/test-chain";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "../webhooks/create-webhook-endpoint";
import { attemptWebhookDelivery } from "../webhooks/deliver-webhook";
import { updateWebhookEndpoint } from "../webhooks/manage-webhook-endpoints";
import { ZWebhookDeliveryObject } from "../webhooks/webhook-delivery-object";
import type { WebhookDeps } from "../webhooks/webhook-deps";
import { getPaymentDetailOrThrow } from "./get-payment-detail";
import { listWebhookDeliveryLog } from "./list-webhook-delivery-log";

let database: TestDatabase;
let fx: SettlementFixture;
let receiver: WebhookReceiver;
let answer = 500;
const baseUrl = "http://pay.test";

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
  receiver = await startWebhookReceiver(() => answer);
});
afterAll(async () => {
  await receiver.close();
  await database.drop();
});

function webhookDeps(): WebhookDeps {
  return {
    db: database.db,
    encryptionKey: Buffer.alloc(32, 7),
    allowLoopbackTargets: true,
    logger: createLogger({}, { level: "error" }),
    timeoutMs: 2_000,
    retryScheduleMs: [],
  };
}

async function newMerchant() {
  const suffix = randomBytes(6).toString("hex");
  return (
    await createMerchant(database.db, {
      name: `m ${suffix}`,
      email: `m-${suffix}@t.local`,
      password: "pw-123456",
    })
  ).merchantId;
}

describe("payment detail: sweep", () => {
  it("shows the real sweep of a settled native payment: amount + fee + unspent gas reserve = received, exact decimals", async () => {
    const paid = await fx.createConfirmedPayment({ amount: "0.75" });
    const before = await getPaymentDetailOrThrow(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      paid.id,
      baseUrl,
      [fx.chain],
    );
    expect(before.sweep).toBeNull();
    expect(before.resolvable).toBe(false);

    const [sweepId] = await planSweeps(fx.deps, { paymentId: paid.id });
    for (let run = 0; run < 12; run++) {
      if ((await advanceSweep(fx.deps, sweepId ?? "")).status === "confirmed") break;
      await fx.mine();
    }

    const detail = await getPaymentDetailOrThrow(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      paid.id,
      baseUrl,
      [fx.chain],
    );
    expect(detail.payment.status).toBe("settled");
    const sweep = ZSweepObject.parse(detail.sweep);
    expect(sweep).toMatchObject({
      id: sweepId,
      payment_id: paid.id,
      status: "confirmed",
      from: paid.deposit,
      to: fx.treasury,
      mode: "treasury",
      token: { symbol: "ETH", decimals: 18 },
      native_symbol: "ETH",
      gas_fund_tx_hash: null,
      last_error: null,
    });
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.tx_hash as Hex });
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(receipt.to?.toLowerCase()).toBe(fx.treasury.toLowerCase());
    expect(BigInt(sweep.fee_base_units)).toBe(fee);
    expect(sweep.fee).toBe(formatAmount(fee, 18));
    // The gas the sweep reserved and did not burn stays at the deposit address.
    const left = await fx.unspentGasReserve(sweep.tx_hash);
    expect(BigInt(sweep.amount_base_units) + fee + left).toBe(paid.amount);
    expect(sweep.amount).toBe(formatAmount(paid.amount - fee - left, 18));
    expect(sweep.confirmed_at).not.toBeNull();

    // Another merchant neither sees the payment nor, through it, the sweep.
    await expect(
      getPaymentDetailOrThrow({ db: database.db, actor: OPERATOR }, await newMerchant(), paid.id, baseUrl, [
        fx.chain,
      ]),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("payment detail: ERC-20 sweep", () => {
  it("shows the token amount swept exactly and the gas top-up from the gas tank as a real transaction", async () => {
    await fx.fundGasTank(parseEther("1"));
    const paid = await fx.createConfirmedPayment({ token: "USDC", amount: "25.000001" });
    const [sweepId] = await planSweeps(fx.deps, { paymentId: paid.id });
    for (let run = 0; run < 12; run++) {
      if ((await advanceSweep(fx.deps, sweepId ?? "")).status === "confirmed") break;
      await fx.mine();
    }
    const { sweep } = await getPaymentDetailOrThrow(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      paid.id,
      baseUrl,
      [fx.chain],
    );
    const shown = ZSweepObject.parse(sweep);
    expect(shown).toMatchObject({
      status: "confirmed",
      token: { symbol: "USDC", decimals: 6 },
      amount: "25.000001",
      amount_base_units: "25000001",
      to: fx.treasury,
    });
    expect(await fx.tokenBalance(fx.treasury)).toBe(25_000_001n);
    const topUp = await fx.publicClient.getTransaction({ hash: shown.gas_fund_tx_hash as Hex });
    expect(topUp.from.toLowerCase()).toBe(fx.gasTank.toLowerCase());
    expect(topUp.to?.toLowerCase()).toBe(paid.deposit.toLowerCase());
    expect(shown.gas_fund_amount).toBe(formatAmount(topUp.value, 18));
    const row = await database.db.sweep.findFirstOrThrow({
      where: { paymentId: paid.id },
      select: { fee: true },
    });
    expect(shown.fee_base_units).toBe(row.fee.toFixed());
    expect(BigInt(shown.fee_base_units)).toBeGreaterThan(0n);
  });
});

describe("payment detail and delivery log: webhook deliveries", () => {
  it("lists the deliveries of a payment's events with every attempt, scoped to the merchant", async () => {
    const merchantId = await newMerchant();
    const other = await newMerchant();
    const endpoint = await createWebhookEndpoint({ ...webhookDeps(), actor: OPERATOR }, merchantId, {
      url: receiver.url,
    });
    const create = (order: string) =>
      createPayment({ actor: OPERATOR, db: database.db, chains: [testChain()], baseUrl }, merchantId, {
        chain: "local",
        amount: "1",
        order_id: order,
      });
    const first = await create("first");
    const second = await create("second");
    const deliveryOf = (paymentId: string) =>
      database.db.webhookDelivery.findFirstOrThrow({
        where: { event: { objectId: paymentId } },
        select: { id: true },
      });
    const firstDelivery = await deliveryOf(first.id);
    const secondDelivery = await deliveryOf(second.id);
    answer = 500;
    await attemptWebhookDelivery(webhookDeps(), firstDelivery.id);
    answer = 200;
    await attemptWebhookDelivery(webhookDeps(), secondDelivery.id);

    const detail = await getPaymentDetailOrThrow(
      { db: database.db, actor: OPERATOR },
      merchantId,
      first.id,
      baseUrl,
    );
    expect(detail.deliveries).toHaveLength(1);
    const [delivery] = detail.deliveries;
    expect(ZWebhookDeliveryObject.parse(delivery)).toBeTruthy();
    expect(delivery).toMatchObject({
      id: firstDelivery.id,
      event_type: "payment.created",
      endpoint_id: endpoint.id,
      endpoint_url: receiver.url,
      status: "failed",
      outcome: "failed",
      retrying: false,
      last_status_code: 500,
      retryable: true,
      attempts: [
        {
          attempt_number: 1,
          status_code: 500,
          response_snippet: "receiver says 500",
          error: expect.any(String),
          duration_ms: expect.any(Number),
        },
      ],
    });

    // The whole log, newest first, paginated with a cursor; by endpoint; never another merchant's.
    const page1 = await listWebhookDeliveryLog(database.db, merchantId, { limit: 1 });
    expect(page1.data.map((entry) => entry.id)).toEqual([secondDelivery.id]);
    expect(page1.data[0]?.attempts.map((attempt) => attempt.status_code)).toEqual([200]);
    // A succeeded delivery is not retryable; the log shows the request body it sent.
    expect(page1.data[0]).toMatchObject({ outcome: "succeeded", retryable: false, last_status_code: 200 });
    expect(JSON.parse(page1.data[0]?.payload ?? "{}")).toMatchObject({
      object: "event",
      type: "payment.created",
      data: { object: { id: second.id } },
    });
    expect(page1.has_more).toBe(true);
    const page2 = await listWebhookDeliveryLog(database.db, merchantId, {
      limit: 1,
      starting_after: page1.next_cursor ?? undefined,
    });
    expect(page2.data.map((entry) => entry.id)).toEqual([firstDelivery.id]);
    expect(page2.has_more).toBe(false);
    expect(
      (await listWebhookDeliveryLog(database.db, merchantId, { endpoint: endpoint.id })).data,
    ).toHaveLength(2);
    expect((await listWebhookDeliveryLog(database.db, other, {})).data).toEqual([]);
    const byStatus = async (status: "failed" | "succeeded" | "pending") =>
      (await listWebhookDeliveryLog(database.db, merchantId, { status })).data.map((entry) => entry.id);
    expect(await byStatus("failed")).toEqual([firstDelivery.id]);
    expect(await byStatus("succeeded")).toEqual([secondDelivery.id]);
    expect(await byStatus("pending")).toEqual([]);
    await expect(
      listWebhookDeliveryLog(database.db, other, { starting_after: firstDelivery.id }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    await expect(listWebhookDeliveryLog(database.db, merchantId, { endpoint: "nope" })).rejects.toThrow();

    // A disabled endpoint's deliveries cannot be retried (retryWebhookDelivery refuses them too).
    await updateWebhookEndpoint({ ...webhookDeps(), actor: OPERATOR }, merchantId, endpoint.id, {
      status: "disabled",
    });
    const afterDisable = await listWebhookDeliveryLog(database.db, merchantId, { object: first.id });
    expect(afterDisable.data.map((entry) => entry.retryable)).toEqual([false]);
  });
});

describe("explorer links", () => {
  it("links a transaction hash on the chain's explorer, or nothing without one", () => {
    const hash = `0x${"ab".repeat(32)}`;
    expect(explorerTxUrl("https://sepolia.etherscan.io/", hash)).toBe(
      `https://sepolia.etherscan.io/tx/${hash}`,
    );
    expect(explorerTxUrl(null, hash)).toBeNull();
    expect(explorerTxUrl("https://x.example", "0x1234")).toBeNull();
  });
});
