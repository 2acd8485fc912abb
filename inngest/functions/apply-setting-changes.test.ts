import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../../lib/access/actor";
import { createMerchant } from "../../lib/merchants/create-merchant";
import { setPayoutLimits } from "../../lib/payouts/payout-limits";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { testChain } from "../../lib/testing/test-chain";
import { createApplySettingChanges } from "./apply-setting-changes";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("apply-setting-changes function", () => {
  it("applies a due auto-approval change in one step on the cron trigger", async () => {
    const chains = [testChain()];
    const { merchantId } = await createMerchant(database.db, {
      name: "F",
      email: "f@example.com",
      password: "pw",
    });
    const scheduled = await setPayoutLimits(
      { db: database.db, chains, actor: OPERATOR, delaySeconds: 60 },
      merchantId,
      { chain: "local", auto_approve_below: "1" },
    );
    const engine = (now: Date) =>
      new InngestTestEngine({
        function: createApplySettingChanges({
          getContext: () => ({ db: database.db, chains }),
          now: () => now,
        }),
      });
    const cron = { name: "inngest/scheduled.timer", data: { cron: "* * * * *" } };

    expect((await engine(new Date()).execute({ events: [cron] })).result).toEqual({ applied: [] });
    const { result, ctx } = await engine(new Date(Date.now() + 61_000)).execute({ events: [cron] });
    expect(result).toEqual({ applied: [scheduled.pending_change?.id] });
    expect(ctx.step.run).toHaveBeenCalledWith("apply-due-setting-changes", expect.any(Function));
    const limits = await database.db.payoutLimit.findFirstOrThrow({ where: { merchantId } });
    expect(limits.autoApproveBelow?.toFixed()).toBe("1000000000000000000");
  });
});
