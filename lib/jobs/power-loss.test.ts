// Resilience scenario "power loss" (RELIABILITY.md, issue 17): the worker and the devnet node are
// SIGKILLed together at seeded random moments while payments (native and USDC, treasury and balance
// mode) are paid and swept; the node comes back from its last state dump, a second or so older, as
// `npm start` brings it back after a power loss. Whatever the chain lost, the gateway must follow:
// no payment is confirmed or settled without its transfer on the chain, every payment whose
// transfer is on the chain ends settled, and reconciliation finds every difference exactly zero.
// RESILIENCE_POWER_LOSSES (default 3) sets the number of losses, RESILIENCE_SEED replays a run.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Hash, parseEther, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { reconcileChainWithHotWallets } from "../balances/reconcile-hot-wallets";
import { expectPaymentsFollowTheChain } from "../testing/chain-truth";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { prng } from "../testing/prng";
import { type ResilienceStack, type StackMerchant, startResilienceStack } from "../testing/resilience-stack";

const LOSSES = Number(process.env.RESILIENCE_POWER_LOSSES ?? 3);
const SEED = Number(process.env.RESILIENCE_SEED ?? Date.now() % 1_000_000);
/** Payments paid before each loss. */
const PER_ROUND = 2;
/** A loss lands anywhere in [0, this) ms after the round's payments were sent. */
const MAX_WAIT_MS = 2_500;

type Paid = { id: string; merchant: StackMerchant; units: bigint; hash: Hash };

const stateDir = mkdtempSync(join(tmpdir(), "ctrip-power-loss-"));
let database: TestDatabase;
let stack: ResilienceStack;
let treasuryMerchant: StackMerchant;
let balanceMerchant: StackMerchant;
beforeAll(async () => {
  chmodSync(stateDir, 0o755);
  database = await createTestDatabase();
  stack = await startResilienceStack(database, { anvilStateFile: join(stateDir, "state.json") });
  treasuryMerchant = await stack.addMerchant("treasury");
  balanceMerchant = await stack.addMerchant("balance");
});
afterAll(async () => {
  await stack?.stop([treasuryMerchant, balanceMerchant].filter(Boolean));
  await database?.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The payer's transaction is on the node's chain (it may have been lost with the last second). */
async function onChain(hash: Hash): Promise<boolean> {
  const receipt = await stack.publicClient.getTransactionReceipt({ hash }).catch(() => null);
  return receipt?.status === "success";
}

describe("power loss of the worker and the devnet together", () => {
  it(`follows the chain through ${LOSSES} losses (seed ${SEED})`, {
    timeout: 240_000 + LOSSES * 20_000,
  }, async () => {
    const db = database.db;
    const next = prng(SEED);
    const paid: Paid[] = [];
    for (let round = 0; round < LOSSES; round++) {
      await stack.worker.start();
      for (let index = 0; index < PER_ROUND; index++) {
        const merchant = (round + index) % 2 === 0 ? balanceMerchant : treasuryMerchant;
        const token = index % 2 === 0 ? undefined : ("USDC" as const);
        const amount = token ? "3" : "0.03";
        const payment = await stack.createPayment(merchant, { token, amount });
        const units = token ? parseUnits(amount, 6) : parseEther(amount);
        const { hash } = await stack.pay({ token, to: payment.address, units });
        paid.push({ id: payment.id, merchant, units, hash });
      }
      await new Promise((resolve) => setTimeout(resolve, next() * MAX_WAIT_MS));
      await stack.powerLoss();
    }
    await stack.worker.start();

    const lost = async () => {
      const states = await Promise.all(paid.map(async (payment) => (await onChain(payment.hash)) === false));
      return paid.filter((_, index) => states[index]);
    };
    const finished = async () => {
      const gone = new Set((await lost()).map((payment) => payment.id));
      const rows = await db.payment.findMany({ where: { id: { in: paid.map((payment) => payment.id) } } });
      return rows.every((row) => (gone.has(row.id) ? row.status === "pending" : row.status === "settled"));
    };
    await expect
      .poll(finished, { timeout: 150_000, interval: 1_000 })
      .toBe(true)
      .catch(async (error: unknown) => {
        // What did not finish, to replay with RESILIENCE_SEED: each payment, whether the chain has
        // its transfer, its sweep, the cursor and the worker's warnings.
        const gone = new Set((await lost()).map((payment) => payment.id));
        const rows = await db.payment.findMany({
          where: { id: { in: paid.map((payment) => payment.id) } },
          select: {
            id: true,
            status: true,
            tokenSymbol: true,
            startBlock: true,
            sweeps: { select: { status: true, lastError: true } },
          },
        });
        const report = rows.map((row) => ({ ...row, onChain: !gone.has(row.id) }));
        const cursor = await db.chainCursor.findMany();
        const warnings = stack.worker
          .log()
          .split("\n")
          .filter((line) => /"level":"(warn|error)"/.test(line))
          .slice(-20);
        throw new Error(
          `${String(error)}\n${JSON.stringify({ report, cursor }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 1)}\n${warnings.join("\n")}`,
        );
      });
    expect(await stack.worker.stop()).toBe(0);

    const gone = new Set((await lost()).map((payment) => payment.id));
    await expectPaymentsFollowTheChain(db, stack.publicClient, paid, gone);
    expect(await findLedgerMismatches(db)).toEqual([]);
    for (const merchant of [treasuryMerchant, balanceMerchant]) {
      const report = await reconcileChainWithHotWallets(
        { ...stack.deps, actor: OPERATOR },
        { chain: stack.chain.name, merchantId: merchant.merchantId },
      );
      expect(report.flagged_payments, merchant.mode).toEqual([]);
      expect(
        report.tokens.map((token) => token.difference),
        merchant.mode,
      ).toEqual(["0", "0"]);
      expect(report.gas.difference, merchant.mode).toBe("0");
    }
    console.log(
      JSON.stringify({
        scenario: "power-loss",
        seed: SEED,
        losses: LOSSES,
        payments: paid.length,
        lostWithTheChain: gone.size,
        settled: paid.length - gone.size,
      }),
    );
  });
});
