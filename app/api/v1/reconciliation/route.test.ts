// GET /api/v1/reconciliation through the real route handler, on a real database and the test Anvil.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { formatAmount } from "@/lib/money/amounts";
import { toBigInt } from "@/lib/payments/payment-object";
import { advanceSweep } from "@/lib/settlement/advance-sweep";
import { planSweeps } from "@/lib/settlement/plan-sweeps";
import { ZReconciliation } from "@/lib/settlement/reconcile-chain";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";
import { createSettlementFixture, type SettlementFixture } from "@/lib/testing/settlement-fixture";

let database: TestDatabase;
let route: typeof import("./route");
let fx: SettlementFixture;
let apiKey: string;
let otherKey: string;
let workDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
  workDir = mkdtempSync(join(tmpdir(), "ctrip-reconciliation-"));
  const chainsFile = join(workDir, "chains.yaml");
  writeFileSync(
    chainsFile,
    stringify({
      chains: [
        {
          ...fx.chain,
          tokens: fx.chain.tokens.map(({ symbol, address, decimals }) => ({ symbol, address, decimals })),
        },
      ],
    }),
  );
  process.env.DATABASE_URL = database.databaseUrl;
  process.env.CHAINS_FILE = chainsFile;
  vi.resetModules();
  route = await import("./route");
  ({ apiKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: fx.merchant.merchantId, name: "r" },
  ));
  const other = await createSettlementFixture(database.db);
  ({ apiKey: otherKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    {
      merchantId: other.merchant.merchantId,
      name: "o",
    },
  ));
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
  rmSync(workDir, { recursive: true, force: true });
});

function get(key: string | null, query: string) {
  return route.GET(
    new Request(`http://localhost/api/v1/reconciliation${query}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    }),
    { params: Promise.resolve({}) },
  );
}

describe("GET /api/v1/reconciliation", () => {
  it("reports the merchant's own figures from real balances, scoped to its key", async () => {
    await fx.createConfirmedPayment({ amount: "0.4" });
    await fx.createConfirmedPayment({ token: "USDC", amount: "3.5" });
    const response = await get(apiKey, "?chain=local");
    expect(response.status).toBe(200);
    const body = ZReconciliation.parse(await response.json());
    expect(body).toEqual({
      chain: "local",
      tokens: [
        { symbol: "ETH", received: "0.4", swept: "0", fees: "0", held_on_chain: "0.4", difference: "0" },
        { symbol: "USDC", received: "3.5", swept: "0", fees: "0", held_on_chain: "3.5", difference: "0" },
      ],
      flagged_payments: [],
      gas: expect.objectContaining({ symbol: "ETH", top_ups: "0", difference: "0" }),
      flagged_gas: [],
    });
    // Another merchant sees none of it.
    const other = ZReconciliation.parse(await (await get(otherKey, "?chain=local")).json());
    expect(other.tokens.map((token) => token.received)).toEqual(["0", "0"]);
  });

  it("accounts for the gas of a swept USDC payment to the wei", async () => {
    await fx.fundGasTank(10n ** 17n);
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "2" });
    await planSweeps(fx.deps);
    const { id: sweepId } = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    for (let run = 0; run < 10 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    const sweep = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect(sweep.status).toBe("confirmed");
    const body = ZReconciliation.parse(await (await get(apiKey, "?chain=local")).json());
    const topUps = toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" });
    const topUpFees = toBigInt(sweep.gasFundFee ?? { toFixed: () => "0" });
    const depositFees = toBigInt(sweep.fee) - topUpFees;
    expect(body.gas).toEqual({
      symbol: "ETH",
      top_ups: formatAmount(topUps, 18),
      deposit_fees: formatAmount(depositFees, 18),
      held_on_chain: formatAmount(await fx.publicClient.getBalance({ address: payment.deposit }), 18),
      difference: "0",
      top_up_fees: formatAmount(topUpFees, 18),
      gas_tank_spent: formatAmount(topUps + topUpFees, 18),
    });
    expect(topUps).toBeGreaterThan(0n);
    expect(body.flagged_gas).toEqual([]);
    expect(body.flagged_payments).toEqual([]);
  });

  it("answers problem+json 4xx for bad input and no key", async () => {
    for (const [key, query, status] of [
      [apiKey, "?chain=mainnet", 422],
      [apiKey, "", 422],
      [apiKey, "?chain=local&extra=1", 422],
      [null, "?chain=local", 401],
    ] as const) {
      const response = await get(key, query);
      expect(response.status, query).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
    }
  });
});
