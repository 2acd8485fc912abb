// The sweep supervisor cron on the real Anvil node: resumes a sweep paused on an empty gas tank
// once the tank is funded, and plans payments no `payment/confirmed` run took care of.
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceSweep } from "../../lib/settlement/advance-sweep";
import { planSweeps } from "../../lib/settlement/plan-sweeps";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { createSettlementFixture, type SettlementFixture } from "../../lib/testing/settlement-fixture";
import { createSweepSupervisor } from "./sweep-supervisor";

let database: TestDatabase;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
});
afterAll(() => database.drop());

function tick() {
  return new InngestTestEngine({
    function: createSweepSupervisor({ getDeps: () => fx.deps, baseUrl: () => "http://localhost" }),
    events: [{ name: "inngest/scheduled.timer", data: { cron: "* * * * *" } }],
  }).execute();
}

describe("sweep-supervisor function", () => {
  it("resumes a gas-tank-paused sweep once funded, and plans a payment nobody planned", async () => {
    const paused = await fx.createConfirmedPayment({ token: "USDC", amount: "6" });
    const [pausedSweep = ""] = await planSweeps(fx.deps);
    expect((await advanceSweep(fx.deps, pausedSweep)).lastError).toMatch(/fund the gas tank/);
    const unplanned = await fx.createConfirmedPayment({ amount: "0.2" });

    const first = await tick();
    expect(first.result).toMatchObject({ planned: 1, failed: 0 });
    expect((await database.db.sweep.findUniqueOrThrow({ where: { id: pausedSweep } })).pausedReason).toBe(
      "gas_tank_insufficient",
    );

    await fx.fundGasTank(10n ** 18n);
    for (let minute = 0; minute < 8; minute++) {
      await tick();
      await fx.mine(2);
      const statuses = await database.db.payment.findMany({
        where: { id: { in: [paused.id, unplanned.id] } },
        select: { status: true },
      });
      if (statuses.every((row) => row.status === "settled")) break;
    }
    for (const id of [paused.id, unplanned.id])
      expect((await database.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe("settled");
    expect(await fx.tokenBalance(fx.treasury)).toBe(6_000_000n);
  });
});
