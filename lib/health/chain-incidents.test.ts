// Incidents are loud until acknowledged: /api/health is degraded and lists them (depth, time),
// /api/metrics counts deep reorgs, and only an owner or admin of a merchant that sees the incident
// can acknowledge it: its own for good, a chain-wide one only for its own dashboard. Only the
// operator's acknowledgement (admin CLI) clears a chain-wide incident from health, for everyone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, userActor } from "../access/actor";
import type { TChain } from "../config/chains";
import { createMerchant } from "../merchants/create-merchant";
import { renderMetrics } from "../metrics/render-metrics";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import {
  acknowledgeChainIncident,
  acknowledgeChainIncidentsAsOperator,
  listChainIncidentsForOperator,
  listOpenChainIncidents,
  recordChainIncident,
} from "./chain-incidents";
import { getHealth, ZHealth } from "./get-health";

let database: TestDatabase;
const chain: TChain = testChain({ name: "incidents" });
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("chain incidents", () => {
  it("degrade health until the operator acknowledges them; a merchant hides a chain-wide one only for itself", async () => {
    const now = new Date();
    await database.db.chainCursor.create({
      data: {
        chain: chain.name,
        chainId: chain.chainId,
        headBlock: 100n,
        lastScannedBlock: 100n,
        headUpdatedAt: now,
      },
    });
    expect((await getHealth({ db: database.db, chains: [chain], now })).status).toBe("ok");
    const shop = await createMerchant(database.db, {
      name: "A",
      email: "a@incidents.test",
      password: "pw-pw-pw-pw",
    });
    const other = await createMerchant(database.db, {
      name: "B",
      email: "b@incidents.test",
      password: "pw-pw-pw-pw",
    });
    const detectedAt = new Date("2026-12-04T10:00:00Z");
    const deep = await recordChainIncident(database.db, {
      chain: chain.name,
      kind: "deep_reorg",
      depth: 7,
      ancestorBlock: 93n,
      orphanedBlock: 100n,
      orphanedHash: `0x${"aa".repeat(32)}`,
      detail: "reorg of 7 blocks",
      createdAt: detectedAt,
    });
    const settled = await recordChainIncident(database.db, {
      chain: chain.name,
      kind: "reorged_after_settlement",
      merchantId: other.merchantId,
      paymentId: "pay_x",
      depth: 7,
      detail: "payment pay_x was settled, then a reorg took its transfer off the chain",
      createdAt: detectedAt,
    });

    const health = await getHealth({ db: database.db, chains: [chain], now });
    expect(ZHealth.parse(health)).toEqual(health);
    expect(health.status).toBe("degraded");
    expect(health.incidents).toContainEqual(
      expect.objectContaining({
        id: deep,
        kind: "deep_reorg",
        depth: 7,
        created_at: detectedAt.toISOString(),
      }),
    );
    expect(await renderMetrics({ db: database.db, chains: [chain] })).toContain(
      'ctrip_chain_deep_reorgs_total{chain="incidents"} 1',
    );
    // A merchant sees chain-wide incidents and its own, never another merchant's.
    expect(
      (await listOpenChainIncidents(database.db, { merchantId: shop.merchantId })).map((i) => i.id),
    ).toEqual([deep]);

    const actor = (role: "owner" | "admin" | "developer" | "viewer", merchant = shop) =>
      userActor({ merchantId: merchant.merchantId, userId: merchant.userId, role });
    for (const role of ["developer", "viewer"] as const)
      await expect(
        acknowledgeChainIncident({ db: database.db, actor: actor(role) }, shop.merchantId, deep),
      ).rejects.toMatchObject({ status: 403 });
    await expect(
      acknowledgeChainIncident({ db: database.db, actor: actor("owner") }, shop.merchantId, settled),
    ).rejects.toMatchObject({ status: 404 });
    // The shop's admin hides the chain-wide incident from its own dashboard only: health stays
    // degraded (the operator's alarm) and the other merchant still sees it.
    // Concurrent acknowledgements record one, never an error.
    const first = await Promise.all(
      [0, 1, 2].map(() =>
        acknowledgeChainIncident({ db: database.db, actor: actor("admin") }, shop.merchantId, deep),
      ),
    );
    expect(first.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(await listOpenChainIncidents(database.db, { merchantId: shop.merchantId })).toEqual([]);
    expect(
      (await listOpenChainIncidents(database.db, { merchantId: other.merchantId })).map((i) => i.id).sort(),
    ).toEqual([deep, settled].sort());
    expect(await getHealth({ db: database.db, chains: [chain], now })).toMatchObject({ status: "degraded" });
    // Twice is a no-op.
    expect(await acknowledgeChainIncident({ db: database.db, actor: actor("owner") }, shop.merchantId)).toBe(
      0,
    );
    expect(await database.db.chainIncidentAcknowledgement.findMany()).toEqual([
      expect.objectContaining({ incidentId: deep, merchantId: shop.merchantId, acknowledgedBy: shop.userId }),
    ]);
    expect(await database.db.chainIncident.findUniqueOrThrow({ where: { id: deep } })).toMatchObject({
      acknowledgedAt: null,
    });

    // A merchant's own incident is acknowledged on its row, as before (concurrently: no error).
    const own = await Promise.all(
      [0, 1].map(() =>
        acknowledgeChainIncident(
          { db: database.db, actor: actor("owner", other) },
          other.merchantId,
          settled,
        ),
      ),
    );
    expect(own.sort()).toEqual([0, 1]);
    expect(await database.db.chainIncident.findUniqueOrThrow({ where: { id: settled } })).toMatchObject({
      acknowledgedBy: other.userId,
    });
    expect(
      (await listOpenChainIncidents(database.db, { merchantId: other.merchantId })).map((i) => i.id),
    ).toEqual([deep]);
    expect((await getHealth({ db: database.db, chains: [chain], now })).incidents.map((i) => i.id)).toEqual([
      deep,
    ]);

    // The operator's acknowledgement closes it for everyone; a merchant member cannot make one.
    await expect(
      acknowledgeChainIncidentsAsOperator({ db: database.db, actor: actor("owner") }, { id: deep }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      acknowledgeChainIncidentsAsOperator({ db: database.db, actor: OPERATOR }, { id: "inc_nope" }),
    ).rejects.toMatchObject({ status: 404 });
    expect(
      (await listChainIncidentsForOperator(database.db)).map((i) => [i.id, i.merchants_acknowledged]),
    ).toEqual([[deep, 1]]);
    expect(
      await acknowledgeChainIncidentsAsOperator({ db: database.db, actor: OPERATOR }, { id: deep }),
    ).toEqual([deep]);
    expect(
      await acknowledgeChainIncidentsAsOperator({ db: database.db, actor: OPERATOR }, { all: true }),
    ).toEqual([]);
    const after = await getHealth({ db: database.db, chains: [chain], now });
    expect(after).toMatchObject({ status: "ok", incidents: [] });
    for (const merchant of [shop, other])
      expect(await listOpenChainIncidents(database.db, { merchantId: merchant.merchantId })).toEqual([]);
    expect(await listChainIncidentsForOperator(database.db)).toEqual([]);
    expect(await listChainIncidentsForOperator(database.db, { all: true })).toContainEqual(
      expect.objectContaining({ id: deep, acknowledged_by: "operator", merchant_id: null }),
    );
    // The counter counts every deep reorg, acknowledged or not.
    expect(await renderMetrics({ db: database.db, chains: [chain] })).toContain(
      'ctrip_chain_deep_reorgs_total{chain="incidents"} 1',
    );
  });
});
