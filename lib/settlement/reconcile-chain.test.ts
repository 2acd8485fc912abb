// Reconciliation of a randomized scenario on a test file's own Anvil: 210 payments (native and USDC;
// exact, partial, over, in two parts, unpaid, late, reorged out) of two merchants (one with a
// treasury: swept; one without: unswept), paid with real transactions, scanned by the real
// watcher, swept by the real sweeper. Per payment and in total, received = swept + fees + held on
// chain, and the USDC sweeps' gas top-ups = fees paid by the deposits + left there, to the wei.
// The seed is printed on failure; RECONCILE_SEED replays a run.

import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { expirePayments } from "../payments/expire-payments";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { prng, seedFrom } from "../testing/prng";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { reconcileChain } from "./reconcile-chain";
import { runSweeps } from "./run-sweeps";
import { setTreasurySetting } from "./set-treasury-setting";

const PAYMENTS = 210;
const SEED = seedFrom("RECONCILE_SEED");

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

type Kind = "exact" | "partial" | "over" | "two_parts" | "unpaid" | "late" | "reorged";
const KINDS: [Kind, number][] = [
  ["exact", 0.3],
  ["partial", 0.15],
  ["over", 0.15],
  ["two_parts", 0.1],
  ["unpaid", 0.1],
  ["late", 0.1],
  ["reorged", 0.1],
];

/**
 * The watcher as it runs: short ranges (a block a second in production). One range of 200 busy
 * blocks is one database transaction recomputing every payment in it, which a loaded machine can
 * push past the transaction timeout.
 */
const scan = () => fx.scan({ maxNativeBlocksPerRange: 20 });

describe("reconcileChain", () => {
  it(`a randomized scenario of ${PAYMENTS} payments reconciles to exactly zero (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const pick = () => {
      let roll = random();
      for (const [kind, weight] of KINDS) {
        roll -= weight;
        if (roll < 0) return kind;
      }
      return "exact" as Kind;
    };
    const other = await createMerchant(database.db, {
      name: "No treasury",
      email: `unswept-${SEED}@example.com`,
      password: "correct horse battery",
    });
    const treasury = privateKeyToAddress(generatePrivateKey());
    const plan: { id: string; address: Address; native: boolean; units: bigint; kind: Kind }[] = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const native = random() < 0.5;
      const kind = pick();
      const merchantId = random() < 0.6 ? fx.merchant.merchantId : other.merchantId;
      // Amounts with every digit random: native to the wei's last places, USDC to the cent and below.
      const amount = native
        ? `${Math.floor(random() * 3)}.${String(Math.floor(random() * 1e9)).padStart(9, "0")}${String(Math.floor(random() * 1e9)).padStart(9, "0")}`
        : `${1 + Math.floor(random() * 500)}.${String(Math.floor(random() * 1e6)).padStart(6, "0")}`;
      const payment = await createPayment(
        { db: database.db, chains: [fx.chain], baseUrl: BASE_URL, now: await fx.chainNow() },
        merchantId,
        {
          chain: "local",
          token: native ? undefined : "USDC",
          amount: amount === "0.000000000000000000" ? "1" : amount,
          expires_in: kind === "late" ? 60 : 3_600,
        },
      );
      plan.push({
        id: payment.id,
        address: payment.address as Address,
        native,
        units: BigInt(payment.amount_base_units),
        kind,
      });
    }
    const send = (payment: (typeof plan)[number], units: bigint) =>
      payment.native ? fx.sendEth(payment.address, units) : fx.sendToken(payment.address, units);

    // On time: exact, partial, over, in two parts.
    for (const payment of plan) {
      const { units } = payment;
      if (payment.kind === "exact") await send(payment, units);
      if (payment.kind === "partial") await send(payment, units / 3n + 1n);
      if (payment.kind === "over") await send(payment, units + 1n + units / 7n);
      if (payment.kind === "two_parts") {
        await send(payment, units / 2n);
        await send(payment, units - units / 2n);
      }
    }
    await scan();

    // Reorged out: seen by the watcher, then the block is replaced by an empty one.
    for (const payment of plan.filter((candidate) => candidate.kind === "reorged")) {
      await send(payment, payment.units);
      await scan();
      await fx.testClient.request({ method: "anvil_reorg" as never, params: [1, []] as never });
      await fx.mine(1);
      await scan();
    }

    // Late: the chain's clock passes the 60 s expiries, then the full amount arrives.
    const latest = await fx.chainNow();
    await fx.testClient.setNextBlockTimestamp({
      timestamp: BigInt(Math.floor(latest.getTime() / 1000) + 120),
    });
    await fx.mine(1);
    await scan();
    await expirePayments({ db: database.db, chain: fx.chain, baseUrl: BASE_URL });
    for (const payment of plan.filter((candidate) => candidate.kind === "late"))
      await send(payment, payment.units);
    await fx.mine(fx.chain.confirmations);
    await scan();

    // One merchant has a treasury: its confirmed payments are swept (scanner and sweeper together).
    await setTreasurySetting(
      { db: database.db, chains: [fx.chain], actor: OPERATOR },
      fx.merchant.merchantId,
      {
        chain: "local",
        address: treasury,
      },
    );
    const deps = { db: database.db, chains: [fx.chain], mnemonic: DEVELOPMENT_MNEMONIC };
    for (let pass = 0; pass < 30; pass++) {
      const result = await runSweeps(deps, { limit: 1_000 });
      expect(result.failed).toBe(0);
      await fx.mine(1);
      await scan();
      const open = await database.db.sweep.count({ where: { status: { not: "confirmed" } } });
      const unplanned = await database.db.payment.count({
        where: { merchantId: fx.merchant.merchantId, status: "confirmed", sweeps: { none: {} } },
      });
      if (open === 0 && unplanned === 0 && pass > 0) break;
    }

    // The scenario has every case.
    const rows = await database.db.payment.findMany({
      select: { status: true, exception: true, merchantId: true },
    });
    expect(rows).toHaveLength(PAYMENTS);
    const has = (status: string, exception?: string) =>
      rows.some((row) => row.status === status && (exception === undefined || row.exception === exception));
    expect(has("settled"), "settled").toBe(true);
    expect(has("settled", "overpaid"), "settled overpaid").toBe(true);
    expect(has("pending"), "pending (partial, unpaid, reorged)").toBe(true);
    expect(has("expired", "paid_late"), "paid late").toBe(true);
    expect(has("confirmed"), "confirmed, unswept").toBe(true);
    expect(
      rows.filter((row) => row.merchantId === fx.merchant.merchantId && row.status === "confirmed"),
    ).toEqual([]);
    expect(await database.db.transfer.count({ where: { status: "reverted" } })).toBeGreaterThan(0);
    expect(await database.db.sweep.count({ where: { status: "confirmed" } })).toBeGreaterThan(20);

    for (const merchantId of [undefined, fx.merchant.merchantId, other.merchantId]) {
      const reconciliation = await reconcileChain(
        { db: database.db, chains: [fx.chain] },
        { chain: "local", merchantId },
      );
      expect(reconciliation.flagged_payments, `seed ${SEED}`).toEqual([]);
      for (const token of reconciliation.tokens) {
        expect(token.difference, `${token.symbol}, seed ${SEED}`).toBe("0");
        expect(token.received).not.toBe("0");
      }
      // The gas of the USDC sweeps: topped up = paid by deposit addresses + left there, to the wei.
      expect(reconciliation.flagged_gas, `seed ${SEED}`).toEqual([]);
      expect(reconciliation.gas.difference, `gas, seed ${SEED}`).toBe("0");
      if (merchantId === other.merchantId) {
        expect(reconciliation.tokens.map((token) => token.swept)).toEqual(["0", "0"]);
        expect(reconciliation.gas.top_ups).toBe("0");
      }
      if (merchantId === fx.merchant.merchantId) {
        expect(reconciliation.tokens.every((token) => token.swept !== "0")).toBe(true);
        expect(reconciliation.gas.top_ups).not.toBe("0");
        expect(reconciliation.gas.deposit_fees).not.toBe("0");
        expect(reconciliation.gas.gas_tank_spent).not.toBe(reconciliation.gas.top_ups);
      }
    }
  }, 180_000);
});
