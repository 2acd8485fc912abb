import { InngestTestEngine } from "@inngest/test";
import { parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../../lib/access/actor";
import { createPayout } from "../../lib/payouts/create-payout";
import { relayApprovedPayouts } from "../../lib/payouts/relay-approved-payouts";
import { approvePayout } from "../../lib/payouts/review-payout";
import { advanceSweep } from "../../lib/settlement/advance-sweep";
import { planSweeps } from "../../lib/settlement/plan-sweeps";
import { setTreasurySetting } from "../../lib/settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { createSettlementFixture, type SettlementFixture } from "../../lib/testing/settlement-fixture";
import { payoutApproved } from "../client";
import { createExecutePayout } from "./execute-payout";

let database: TestDatabase;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
  await setTreasurySetting({ db: database.db, chains: [fx.chain], actor: OPERATOR }, fx.merchant.merchantId, {
    chain: "local",
    mode: "balance",
  });
  // Real funds in the hot wallet: a payment swept in balance mode.
  await fx.createConfirmedPayment({ amount: "2" });
  const [sweepId] = await planSweeps(fx.deps);
  for (let run = 0; run < 12; run++) {
    if ((await advanceSweep(fx.deps, sweepId ?? "")).status === "confirmed") break;
    await fx.mine();
  }
});
afterAll(() => database.drop());

function engine(payoutId: string) {
  return new InngestTestEngine({
    function: createExecutePayout({ getDeps: () => fx.deps }),
    events: [payoutApproved.create({ payout_id: payoutId })],
    // The wait for confirmations: on the devnet, mine them instead.
    steps: [{ id: `wait-${payoutId}`, handler: () => fx.mine(2) }],
  });
}

describe("execute-payout function", () => {
  it("sends an approved payout, waits, records it confirmed; a replayed event sends nothing more", async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const deps = { db: database.db, chains: [fx.chain] };
    const created = await createPayout(deps, fx.merchant.merchantId, {
      chain: "local",
      amount: "0.3",
      address: recipient,
    });
    await approvePayout(deps, fx.merchant.merchantId, created.id, {
      type: "user",
      userId: fx.merchant.userId,
    });
    // The relay hands it to Inngest (here: collected) as a `payout/approved` event.
    const relayed: string[] = [];
    expect(await relayApprovedPayouts(database.db, async (ids) => void relayed.push(...ids))).toEqual({
      payouts: 1,
    });
    expect(relayed).toEqual([created.id]);

    const { result, ctx } = await engine(created.id).execute();
    expect(result).toEqual({ payoutId: created.id, status: "confirmed" });
    for (const id of [`send-${created.id}`, `record-${created.id}`])
      expect(ctx.step.run).toHaveBeenCalledWith(id, expect.any(Function));
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(parseEther("0.3"));

    expect(await relayApprovedPayouts(database.db, async () => undefined)).toEqual({ payouts: 0 });
    const again = await engine(created.id).execute();
    expect(again.result).toEqual({ payoutId: created.id, status: "confirmed" });
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(parseEther("0.3"));
    expect(await database.db.event.count({ where: { objectId: created.id, type: "payout.sent" } })).toBe(1);
  });
});
