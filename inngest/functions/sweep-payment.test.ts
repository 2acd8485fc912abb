import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { createSettlementFixture, type SettlementFixture } from "../../lib/testing/settlement-fixture";
import { paymentConfirmed } from "../client";
import { createSweepPayment } from "./sweep-payment";

let database: TestDatabase;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
});
afterAll(() => database.drop());

function engine(paymentId: string) {
  return new InngestTestEngine({
    function: createSweepPayment({ getDeps: () => fx.deps, baseUrl: () => "http://localhost" }),
    events: [paymentConfirmed.create({ payment_id: paymentId })],
    // The waits between sending and confirming: on the devnet, mine the confirmations instead.
    steps: [
      {
        id: `wait-gas-${paymentId}`,
        handler: () => fx.mine(2),
      },
      {
        id: `wait-transfer-${paymentId}`,
        handler: () => fx.mine(2),
      },
    ],
  });
}

describe("sweep-payment function", () => {
  it("sweeps a confirmed USDC payment through its steps: top-up, transfer, settled", async () => {
    await fx.fundGasTank(10n ** 18n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "12.5" });

    const { result, ctx } = await engine(payment.id).execute();

    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(result).toEqual({ paymentId: payment.id, sweepId: sweep.id, status: "confirmed" });
    for (const id of [
      `plan-${payment.id}`,
      `fund-gas-${payment.id}`,
      `transfer-${payment.id}`,
      `record-${payment.id}`,
    ])
      expect(ctx.step.run).toHaveBeenCalledWith(id, expect.any(Function));
    expect(sweep.gasFundTxHash).toMatch(/^0x/);
    expect(await fx.tokenBalance(fx.treasury)).toBe(12_500_000n);
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );

    // A replayed event finds the sweep done and sends nothing more.
    const again = await engine(payment.id).execute();
    expect(again.result).toEqual({ paymentId: payment.id, sweepId: sweep.id, status: "confirmed" });
    expect(await database.db.sweep.count({ where: { paymentId: payment.id } })).toBe(1);
    expect(await fx.tokenBalance(fx.treasury)).toBe(12_500_000n);
  });

  it("does nothing for a payment without a treasury", async () => {
    await database.db.settlementSetting.deleteMany({ where: { merchantId: fx.merchant.merchantId } });
    const payment = await fx.createConfirmedPayment({ amount: "0.1" });
    const { result } = await engine(payment.id).execute();
    expect(result).toEqual({ paymentId: payment.id, sweepId: null, status: "not_planned" });
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "confirmed",
    );
  });
});
