// The money-routing delay through the real routes (MONEY_ROUTING_DELAY_SECONDS=3600 on the devnet):
// PUT answers with the setting in effect plus the scheduled change, GET pending-changes lists it,
// POST …/cancel cancels it (404 for another merchant, 409 once canceled), a plain key gets 403, and
// each step is a settings.updated event for the merchant's webhooks and an audit entry with the
// client address and request id.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { PEER_ADDRESS_HEADER, peerAddressHeaderValue } from "@/lib/http/peer-address";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { ZPayoutLimitsObject } from "@/lib/payouts/payout-limits";
import { ZSettingChangeList, ZSettingChangeObject } from "@/lib/settlement/setting-change-object";
import { ZTreasurySettingObject } from "@/lib/settlement/treasury-setting-object";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";

let database: TestDatabase;
let routes: {
  treasury: typeof import("../treasury/route");
  payouts: typeof import("../payouts/route");
  pending: typeof import("./route");
  cancel: typeof import("./[id]/cancel/route");
};
let merchantA: string;
let ownerKeyA: string;
let plainKeyA: string;
let ownerKeyB: string;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  process.env.MONEY_ROUTING_DELAY_SECONDS = "3600";
  vi.resetModules();
  routes = {
    treasury: await import("../treasury/route"),
    payouts: await import("../payouts/route"),
    pending: await import("./route"),
    cancel: await import("./[id]/cancel/route"),
  };
  const a = await createMerchant(database.db, { name: "A", email: "a@example.com", password: "pw" });
  const b = await createMerchant(database.db, { name: "B", email: "b@example.com", password: "pw" });
  merchantA = a.merchantId;
  const money = ["settings:read", "settings:write"] as const;
  ({ apiKey: ownerKeyA } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    {
      merchantId: a.merchantId,
      name: "o",
      permissions: [...money],
    },
  ));
  ({ apiKey: plainKeyA } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    {
      merchantId: a.merchantId,
      name: "plain",
      permissions: ["settings:read", "payments:write"],
    },
  ));
  ({ apiKey: ownerKeyB } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    {
      merchantId: b.merchantId,
      name: "b",
      permissions: [...money],
    },
  ));
});
afterAll(async () => {
  delete process.env.MONEY_ROUTING_DELAY_SECONDS;
  await disconnectProcessDb();
  await database.drop();
});

function call(
  handler: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>,
  method: string,
  path: string,
  apiKey: string,
  options: { body?: unknown; id?: string } = {},
) {
  return handler(
    new Request(`http://localhost/api/v1/settings/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        // The TCP peer as the server stamps it (X-Forwarded-For is believed only through TRUSTED_PROXIES).
        [PEER_ADDRESS_HEADER]: peerAddressHeaderValue("203.0.113.7"),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { params: Promise.resolve<Record<string, string>>(options.id ? { id: options.id } : {}) },
  );
}

const FIRST = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const SECOND = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("settings changes API", () => {
  it("refuses a key without settings:write with 403 naming the permission", async () => {
    const response = await call(routes.treasury.PUT, "PUT", "treasury", plainKeyA, {
      body: { chain: "local", address: FIRST },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("settings:write");
    const limits = await call(routes.payouts.PUT, "PUT", "payouts", plainKeyA, {
      body: { chain: "local", auto_approve_below: "1000000" },
    });
    expect(limits.status).toBe(403);
  });

  it("sets the first treasury at once, schedules a new address, lists and cancels it", async () => {
    const first = ZTreasurySettingObject.parse(
      await (
        await call(routes.treasury.PUT, "PUT", "treasury", ownerKeyA, {
          body: { chain: "local", address: FIRST },
        })
      ).json(),
    );
    expect(first).toEqual({ chain: "local", mode: "treasury", address: FIRST, pending_change: null });

    const response = await call(routes.treasury.PUT, "PUT", "treasury", ownerKeyA, {
      body: { chain: "local", address: SECOND },
    });
    expect(response.status).toBe(200);
    const second = ZTreasurySettingObject.parse(await response.json());
    expect(second).toMatchObject({
      address: FIRST,
      pending_change: { status: "scheduled", new: { address: SECOND } },
    });
    const changeId = second.pending_change?.id ?? "";

    const listed = ZSettingChangeList.parse(
      await (await call(routes.pending.GET, "GET", "pending-changes", plainKeyA)).json(),
    );
    expect(listed.data.map((change) => change.id)).toEqual([changeId]);
    const ofB = ZSettingChangeList.parse(
      await (await call(routes.pending.GET, "GET", "pending-changes", ownerKeyB)).json(),
    );
    expect(ofB.data).toEqual([]);

    const path = `pending-changes/${changeId}/cancel`;
    expect((await call(routes.cancel.POST, "POST", path, ownerKeyB, { id: changeId })).status).toBe(404);
    expect((await call(routes.cancel.POST, "POST", path, plainKeyA, { id: changeId })).status).toBe(403);
    const canceled = await call(routes.cancel.POST, "POST", path, ownerKeyA, { id: changeId });
    expect(canceled.status).toBe(200);
    expect(ZSettingChangeObject.parse(await canceled.json())).toMatchObject({
      id: changeId,
      status: "canceled",
    });
    const again = await call(routes.cancel.POST, "POST", path, ownerKeyA, { id: changeId });
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe("invalid_state");

    const events = await database.db.event.findMany({
      where: { merchantId: merchantA, type: "settings.updated" },
      orderBy: { createdAt: "asc" },
    });
    expect(events.map((event) => ZSettingChangeObject.parse(event.data).status)).toEqual([
      "applied",
      "scheduled",
      "canceled",
    ]);
    const audit = await database.db.auditLogEntry.findMany({
      where: { merchantId: merchantA, action: { startsWith: "settings." } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((entry) => entry.action)).toEqual([
      "settings.treasury_changed",
      "settings.change_scheduled",
      "settings.change_canceled",
    ]);
    for (const entry of audit) {
      expect(entry).toMatchObject({ actorType: "api_key", clientAddress: "203.0.113.7" });
      expect(entry.requestId).toMatch(/^req_/);
    }
  });

  it("schedules a raised auto-approval and applies a lowered one at once", async () => {
    const raise = ZPayoutLimitsObject.parse(
      await (
        await call(routes.payouts.PUT, "PUT", "payouts", ownerKeyA, {
          body: { chain: "local", auto_approve_below: "1" },
        })
      ).json(),
    );
    expect(raise).toMatchObject({ auto_approve_below: null, pending_change: { status: "scheduled" } });
    const lower = ZPayoutLimitsObject.parse(
      await (
        await call(routes.payouts.PUT, "PUT", "payouts", ownerKeyA, {
          body: { chain: "local", max_per_payout: "2" },
        })
      ).json(),
    );
    expect(lower).toMatchObject({ max_per_payout: "2", auto_approve_below: null, pending_change: null });
  });
});
