// Payout limits are validated against each other in the service, whoever calls it (API, dashboard):
// a contradiction is a 422 on the field at fault, and nothing is saved, scheduled or audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { payoutLimitsConflict, setPayoutLimits } from "./payout-limits";

let database: TestDatabase;
let merchantId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  merchantId = (
    await createMerchant(database.db, { name: "l", email: "l@example.com", password: "long enough pw" })
  ).merchantId;
});
afterAll(() => database.drop());

const ETH = 10n ** 18n;
const limits = (maxPerPayout: bigint | null, maxPerDay: bigint | null, autoApproveBelow: bigint | null) => ({
  maxPerPayout,
  maxPerDay,
  autoApproveBelow,
});

describe("payoutLimitsConflict", () => {
  it("accepts consistent or partly empty limits, equal values included", () => {
    expect(payoutLimitsConflict(limits(null, null, null), "ETH", 18)).toBeNull();
    expect(payoutLimitsConflict(limits(ETH, 10n * ETH, ETH), "ETH", 18)).toBeNull();
    expect(payoutLimitsConflict(limits(null, null, 5n * ETH), "ETH", 18)).toBeNull();
    expect(payoutLimitsConflict(limits(null, ETH, null), "ETH", 18)).toBeNull();
  });

  it("names the field at fault with exact amounts", () => {
    expect(payoutLimitsConflict(limits(ETH, null, ETH + 1n), "ETH", 18)).toEqual({
      path: "auto_approve_below",
      message:
        "The auto-approval threshold (1.000000000000000001 ETH) is above the maximum per payout (1 ETH): lower the threshold or raise the maximum.",
    });
    expect(payoutLimitsConflict(limits(2n * ETH, ETH, null), "ETH", 18)?.path).toBe("max_per_payout");
    expect(payoutLimitsConflict(limits(null, ETH, 2n * ETH), "ETH", 18)?.message).toMatch(
      /above the maximum per 24 hours \(1 ETH\)/,
    );
  });
});

describe("setPayoutLimits", () => {
  it("refuses an auto-approval threshold above the per-payout maximum: 422, nothing saved or audited", async () => {
    const deps = { db: database.db, chains: [testChain()], actor: OPERATOR };
    await setPayoutLimits(deps, merchantId, { chain: "local", max_per_payout: "1" });
    const before = {
      limits: await database.db.payoutLimit.findMany({ where: { merchantId } }),
      changes: await database.db.settingChange.count({ where: { merchantId } }),
      audit: await database.db.auditLogEntry.count({ where: { merchantId } }),
    };
    const error = await setPayoutLimits(deps, merchantId, {
      chain: "local",
      max_per_payout: "1",
      auto_approve_below: "1.5",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(422);
    expect((error as AppError).errors).toEqual([
      {
        path: "auto_approve_below",
        message: expect.stringMatching(/above the maximum per payout \(1 ETH\)/),
      },
    ]);
    expect({
      limits: await database.db.payoutLimit.findMany({ where: { merchantId } }),
      changes: await database.db.settingChange.count({ where: { merchantId } }),
      audit: await database.db.auditLogEntry.count({ where: { merchantId } }),
    }).toEqual(before);
    // Consistent limits are saved.
    const saved = await setPayoutLimits(deps, merchantId, {
      chain: "local",
      max_per_payout: "1",
      max_per_day: "3",
      auto_approve_below: "0.5",
    });
    expect(saved).toMatchObject({ max_per_payout: "1", max_per_day: "3" });
  });
});
