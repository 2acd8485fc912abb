// Money-routing changes on a real database and Anvil: a loosening change (new treasury address,
// higher auto-approval) waits for its effective time — sweeps and payouts keep using the settings in
// effect — and is applied by the job afterwards; tightening and first settings take effect at once;
// every change is audited and announced as settings.updated.
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyActor, OPERATOR, userActor } from "../access/actor";
import { DEFAULT_API_KEY_PERMISSIONS } from "../access/permissions";
import { AppError } from "../errors";
import { createPayout } from "../payouts/create-payout";
import { setPayoutLimits } from "../payouts/payout-limits";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { adjustBalance } from "../testing/ledger";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { testChain } from "../testing/test-chain";
import { applyDueSettingChanges } from "./apply-due-setting-changes";
import { cancelSettingChange } from "./cancel-setting-change";
import { listTreasurySettings } from "./list-treasury-settings";
import { setTreasurySetting } from "./set-treasury-setting";
import { ZSettingChangeObject } from "./setting-change-object";

let database: TestDatabase;
let fx: SettlementFixture;
const HOUR = 3_600_000;
const later = (ms: number) => () => new Date(Date.now() + ms);

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
});
afterAll(() => database.drop());

/** The owner's deps with a one-hour money-routing delay (the devnet's default is 0). */
const owner = () => ({ db: database.db, chains: [fx.chain], actor: OPERATOR, delaySeconds: 3_600 });
const jobDeps = (now: () => Date) => ({ db: database.db, chains: [fx.chain], now });

async function eventsOf(changeId: string) {
  const events = await database.db.event.findMany({
    where: { objectId: changeId, type: "settings.updated" },
    orderBy: { createdAt: "asc" },
  });
  return events.map((event) => ZSettingChangeObject.parse(event.data));
}
async function auditOf(changeId: string) {
  const entries = await database.db.auditLogEntry.findMany({
    where: { targetId: changeId },
    orderBy: { createdAt: "asc" },
  });
  return entries.map((entry) => `${entry.action} by ${entry.actorType}`);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe("money-routing changes", () => {
  it("sweeps to the old treasury until a scheduled address change is applied, then to the new one", async () => {
    const merchantId = fx.merchant.merchantId;
    const newTreasury = privateKeyToAddress(generatePrivateKey());
    const result = await setTreasurySetting(owner(), merchantId, { chain: "local", address: newTreasury });
    expect(result).toMatchObject({ mode: "treasury", address: fx.treasury });
    const change = result.pending_change;
    expect(change).toMatchObject({ status: "scheduled", new: { address: newTreasury } });
    expect(change?.previous).toEqual({ mode: "treasury", address: fx.treasury });
    expect(new Date(change?.effective_at ?? 0).getTime() - Date.now()).toBeGreaterThan(HOUR - 60_000);

    // Before its time: the job applies nothing and the sweep goes to the treasury in effect.
    expect((await applyDueSettingChanges(jobDeps(() => new Date()))).applied).toEqual([]);
    await fx.createConfirmedPayment({ amount: "0.5" });
    await fx.sweepAll();
    const first = await database.db.sweep.findFirstOrThrow({
      where: { merchantId },
      orderBy: { createdAt: "desc" },
    });
    expect(first).toMatchObject({ status: "confirmed", toAddress: fx.treasury });
    expect(await fx.publicClient.getBalance({ address: newTreasury })).toBe(0n);

    // After it: applied once (a second run finds nothing), and the next sweep goes to the new address.
    expect((await applyDueSettingChanges(jobDeps(later(HOUR + 1_000)))).applied).toEqual([change?.id]);
    expect((await applyDueSettingChanges(jobDeps(later(HOUR + 1_000)))).applied).toEqual([]);
    await fx.createConfirmedPayment({ amount: "0.5" });
    await fx.sweepAll();
    const second = await database.db.sweep.findFirstOrThrow({
      where: { merchantId },
      orderBy: { createdAt: "desc" },
    });
    expect(second).toMatchObject({ status: "confirmed", toAddress: newTreasury });
    expect(await fx.publicClient.getBalance({ address: newTreasury })).toBeGreaterThan(0n);

    const events = await eventsOf(change?.id ?? "");
    expect(events.map((event) => event.status)).toEqual(["scheduled", "applied"]);
    expect(events[1]).toMatchObject({ previous: { address: fx.treasury }, new: { address: newTreasury } });
    expect(events[1]?.actor).toEqual({ type: "operator", id: null });
    expect(await auditOf(change?.id ?? "")).toEqual([
      "settings.change_scheduled by operator",
      "settings.change_applied by system",
    ]);
  });

  it("keeps payouts pending approval until a raised auto-approval is applied; tightening is immediate", async () => {
    const merchantId = fx.merchant.merchantId;
    await fx.useBalanceMode();
    await adjustBalance(database.db, merchantId, { tokenSymbol: "ETH", amount: 10n ** 18n });
    const payoutDeps = { db: database.db, chains: [fx.chain], actor: OPERATOR };
    const payout = () =>
      createPayout(payoutDeps, merchantId, {
        chain: "local",
        amount: "0.05",
        address: privateKeyToAddress(generatePrivateKey()),
      });

    const raised = await setPayoutLimits(owner(), merchantId, { chain: "local", auto_approve_below: "0.1" });
    expect(raised).toMatchObject({ auto_approve_below: null, pending_change: { status: "scheduled" } });
    expect((await payout()).status).toBe("pending_approval");
    expect((await applyDueSettingChanges(jobDeps(() => new Date()))).applied).toEqual([]);
    expect((await payout()).status).toBe("pending_approval");

    expect((await applyDueSettingChanges(jobDeps(later(HOUR + 1_000)))).applied).toEqual([
      raised.pending_change?.id,
    ]);
    const approved = await payout();
    expect(approved).toMatchObject({ status: "approved", reviewed_by: { type: "auto_approval" } });

    // Lowering auto-approval and adding a maximum: in effect at once, nothing scheduled.
    const tightened = await setPayoutLimits(owner(), merchantId, {
      chain: "local",
      auto_approve_below: "0.01",
      max_per_payout: "0.5",
    });
    expect(tightened).toMatchObject({
      auto_approve_below: "0.01",
      max_per_payout: "0.5",
      pending_change: null,
    });
    expect((await payout()).status).toBe("pending_approval");
    const applied = await database.db.settingChange.findFirstOrThrow({
      where: { merchantId, kind: "payout_limits", autoApproveBelow: "10000000000000000" },
    });
    expect(await auditOf(applied.id)).toEqual(["settings.payout_limits_changed by operator"]);
    expect((await eventsOf(applied.id)).map((event) => event.status)).toEqual(["applied"]);

    // Mixed: the new daily maximum applies now, the raised per-payout maximum waits.
    const mixed = await setPayoutLimits(owner(), merchantId, {
      chain: "local",
      auto_approve_below: "0.01",
      max_per_payout: "1",
      max_per_day: "2",
    });
    expect(mixed).toMatchObject({ max_per_payout: "0.5", max_per_day: "2" });
    expect(mixed.pending_change?.new).toEqual({
      max_per_payout: "1",
      max_per_day: "2",
      auto_approve_below: "0.01",
    });

    // A newer request supersedes it (canceled, announced), and removing the maximum loosens too.
    const again = await setPayoutLimits(owner(), merchantId, {
      chain: "local",
      auto_approve_below: "0.01",
      max_per_day: "2",
    });
    expect(again.pending_change?.new).toMatchObject({ max_per_payout: null });
    expect((await eventsOf(mixed.pending_change?.id ?? "")).map((event) => event.status)).toEqual([
      "scheduled",
      "canceled",
    ]);
  });

  it("cancels a scheduled change for its merchant only, and never an applied one", async () => {
    const merchantId = fx.merchant.merchantId;
    const scheduled = await setTreasurySetting(owner(), merchantId, {
      chain: "local",
      address: privateKeyToAddress(generatePrivateKey()),
    });
    const id = scheduled.pending_change?.id ?? "";
    const other = {
      ...owner(),
      actor: userActor({ merchantId: "mer_other", userId: "usr_x", role: "owner" }),
    };
    expect(await refusal(cancelSettingChange(other, "mer_other", id))).toBe("404 not_found");
    const admin = { ...owner(), actor: userActor({ merchantId, userId: "usr_admin", role: "admin" }) };
    expect(await refusal(cancelSettingChange(admin, merchantId, id))).toBe("403 forbidden");

    const canceled = await cancelSettingChange(owner(), merchantId, id);
    expect(canceled).toMatchObject({ status: "canceled", canceled_by: { type: "operator" } });
    expect(await refusal(cancelSettingChange(owner(), merchantId, id))).toBe("409 invalid_state");
    expect((await applyDueSettingChanges(jobDeps(later(2 * HOUR)))).applied).not.toContain(id);
    const [live] = (await listTreasurySettings(owner(), merchantId)).data;
    expect(live).toMatchObject({ mode: "balance", pending_change: null });
    expect(await auditOf(id)).toEqual([
      "settings.change_scheduled by operator",
      "settings.change_canceled by operator",
    ]);

    const appliedId = (
      await database.db.settingChange.findFirstOrThrow({ where: { merchantId, appliedAt: { not: null } } })
    ).id;
    expect(await refusal(cancelSettingChange(owner(), merchantId, appliedId))).toBe("409 invalid_state");
  });

  it("applies a due change once when two runners race", async () => {
    const merchantId = fx.merchant.merchantId;
    const scheduled = await setPayoutLimits(owner(), merchantId, {
      chain: "local",
      token: "USDC",
      auto_approve_below: "3",
    });
    const now = later(HOUR + 1_000);
    const [one, two] = await Promise.all([
      applyDueSettingChanges(jobDeps(now)),
      applyDueSettingChanges(jobDeps(now)),
    ]);
    expect([...one.applied, ...two.applied]).toEqual([scheduled.pending_change?.id]);
    expect((await eventsOf(scheduled.pending_change?.id ?? "")).map((event) => event.status)).toEqual([
      "scheduled",
      "applied",
    ]);
  });

  it("takes the first setting of a chain at once and delays 24 h by default with a real chain", async () => {
    const merchantId = fx.merchant.merchantId;
    const mainnet = testChain({ name: "main", chainId: 1, rpcUrls: ["https://rpc.example"] });
    const now = new Date("2026-12-04T12:00:00.000Z");
    const deps = { db: database.db, chains: [fx.chain, mainnet], actor: OPERATOR, now: () => now };
    const first = await setTreasurySetting(deps, merchantId, { chain: "main", address: fx.treasury });
    expect(first).toMatchObject({ address: fx.treasury, pending_change: null });
    const second = await setTreasurySetting(deps, merchantId, { chain: "main", mode: "balance" });
    expect(second).toMatchObject({
      mode: "treasury",
      pending_change: { effective_at: "2026-12-05T12:00:00.000Z" },
    });
  });

  it("needs settings:write to change and settings:read to list (owner-only for members)", async () => {
    const merchantId = fx.merchant.merchantId;
    const input = { chain: "local", address: privateKeyToAddress(generatePrivateKey()) };
    const plainKey = apiKeyActor({
      merchantId,
      apiKeyId: "key_plain",
      permissions: DEFAULT_API_KEY_PERMISSIONS,
    });
    for (const actor of [
      plainKey,
      userActor({ merchantId, userId: "usr_admin", role: "admin" }),
      userActor({ merchantId, userId: "usr_viewer", role: "viewer" }),
    ]) {
      expect(await refusal(setTreasurySetting({ ...owner(), actor }, merchantId, input))).toBe(
        "403 forbidden",
      );
      expect(
        await refusal(
          setPayoutLimits({ ...owner(), actor }, merchantId, { chain: "local", auto_approve_below: "9" }),
        ),
      ).toBe("403 forbidden");
      expect(await refusal(listTreasurySettings({ ...owner(), actor }, merchantId))).toBe("accepted");
    }
    const noRead = apiKeyActor({ merchantId, apiKeyId: "key_none", permissions: ["payments:read"] });
    expect(await refusal(listTreasurySettings({ ...owner(), actor: noRead }, merchantId))).toBe(
      "403 forbidden",
    );
  });
});
