// A reorg deeper than the confirmations before and after the sweep, in treasury and balance mode,
// on a test file's own Anvil with real sweeps: before the sweep the payment simply drops back; after
// it the payment keeps `settled` with the exception `reorged_after_settlement`, the balance is
// corrected (it may be owed, which refuses payouts), an incident is raised and logged, and the books
// and the reconciliation match what the chain holds.

import { privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createLogger } from "../logger";
import { toBigInt } from "../payments/payment-object";
import { createPayout } from "../payouts/create-payout";
import { advanceSweep } from "../settlement/advance-sweep";
import { planSweeps } from "../settlement/plan-sweeps";
import { reconcileChain } from "../settlement/reconcile-chain";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { adjustBalance } from "../testing/ledger";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { scanChain } from "./scan-chain";

let database: TestDatabase;
let fx: ScannerFixture;
let deps: TransactionDeps;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database, { confirmations: 2 });
  deps = { db: database.db, chains: [fx.chain], mnemonic: DEVELOPMENT_MNEMONIC };
  await fx.mine(3);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

async function useMode(mode: "treasury" | "balance") {
  await setTreasurySetting({ db: database.db, chains: [fx.chain], actor: OPERATOR }, fx.merchant.merchantId, {
    chain: "local",
    ...(mode === "treasury" ? { address: privateKeyToAddress(`0x${"12".repeat(32)}`) } : { mode: "balance" }),
  });
}

async function confirmedPayment(token: "USDC" | undefined, overpaid: boolean) {
  const created = await fx.createPayment({ token, amount: "2" });
  const units = BigInt(created.amount_base_units) + (overpaid ? 1n : 0n);
  if (token) await fx.sendToken(created.address, units);
  else await fx.sendEth(created.address, units);
  await fx.mine(2);
  await fx.scan();
  expect((await fx.payment(created.id)).status).toBe("confirmed");
  return created.id;
}

async function settle() {
  for (const sweepId of await planSweeps(deps))
    for (let run = 0; run < 20; run++) {
      if ((await advanceSweep(deps, sweepId)).status === "confirmed") break;
      await fx.mine(1);
    }
}

async function available(tokenSymbol: string) {
  const row = await database.db.balance.findUnique({
    where: {
      merchantId_chain_tokenSymbol: { merchantId: fx.merchant.merchantId, chain: "local", tokenSymbol },
    },
  });
  return row ? toBigInt(row.available) : 0n;
}

/** Rolls the devnet back to `snapshot`, mines past the old tip and scans; the log lines. */
async function rollBackAndScan(snapshot: `0x${string}`) {
  await fx.testClient.revert({ id: snapshot });
  await fx.mine(30);
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({}, { level: "warn", write: (line) => lines.push(JSON.parse(line)) });
  await scanChain(
    { db: database.db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL, logger },
    { maxRanges: 100 },
  );
  return lines;
}

async function expectBooksMatchTheChain() {
  expect(await findLedgerMismatches(database.db)).toEqual([]);
  const reconciliation = await reconcileChain({ db: database.db, chains: [fx.chain] }, { chain: "local" });
  expect(reconciliation.flagged_payments).toEqual([]);
  for (const token of reconciliation.tokens) expect(token.difference, token.symbol).toBe("0");
  expect(reconciliation.gas.difference).toBe("0");
}

describe("reorg deeper than the confirmations, around settlement", () => {
  it("before the sweep (treasury, USDC): the payment drops back and nothing is swept", async () => {
    await useMode("treasury");
    const snapshot = await fx.testClient.snapshot();
    const id = await confirmedPayment("USDC", false);
    await rollBackAndScan(snapshot);
    expect(await fx.payment(id)).toMatchObject({ status: "pending", exception: null });
    expect(await planSweeps(deps)).toEqual([]);
    await expectBooksMatchTheChain();
  });

  it.each([
    { mode: "treasury" as const, token: undefined, overpaid: false },
    { mode: "balance" as const, token: undefined, overpaid: true },
    { mode: "balance" as const, token: "USDC" as const, overpaid: false },
  ])(
    "after the sweep ($mode, $token, overpaid $overpaid): reorged_after_settlement, books corrected, alert",
    async ({ mode, token, overpaid }) => {
      await useMode(mode);
      const symbol = token ?? "ETH";
      const before = await available(symbol);
      const snapshot = await fx.testClient.snapshot();
      const id = await confirmedPayment(token, overpaid);
      await settle();
      expect((await fx.payment(id)).status).toBe("settled");
      const credited = (await available(symbol)) - before;
      expect(credited > 0n).toBe(mode === "balance");
      if (mode === "balance")
        await adjustBalance(database.db, fx.merchant.merchantId, {
          tokenSymbol: symbol,
          amount: -(before + credited / 2n),
        });

      const lines = await rollBackAndScan(snapshot);
      const row = await fx.payment(id);
      expect(row).toMatchObject({ status: "settled", exception: "reorged_after_settlement" });
      expect(row.amountReceived.toFixed()).toBe("0");
      expect(await fx.eventTypes(id)).toContain("payment.reverted");
      const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: id } });
      expect(sweep).toMatchObject({ status: "failed" });
      const incident = await database.db.chainIncident.findFirst({
        where: { kind: "reorged_after_settlement", paymentId: id },
      });
      expect(incident).toMatchObject({ merchantId: fx.merchant.merchantId, acknowledgedAt: null });
      expect(lines.filter((line) => line.level === "error").map((line) => line.message)).toEqual([
        "chain reorganisation deeper than the confirmations",
        "reorg took back a settled payment's funds (reorged_after_settlement)",
      ]);

      if (mode === "balance") {
        const adjustment = await database.db.balanceTransaction.findFirstOrThrow({
          where: { paymentId: id, type: "adjustment" },
        });
        expect(toBigInt(adjustment.amount)).toBe(-credited);
        // Half of the credit was spent before the reorg took it back: the balance is owed.
        expect(await available(symbol)).toBe(-credited / 2n);
        await expect(
          createPayout({ db: database.db, chains: [fx.chain], actor: OPERATOR }, fx.merchant.merchantId, {
            chain: "local",
            token,
            amount: "0.000001",
            address: privateKeyToAddress(`0x${"34".repeat(32)}`),
          }),
        ).rejects.toThrow(/owed/);
        // Credited back to zero, the balance is usable again.
        await adjustBalance(database.db, fx.merchant.merchantId, {
          tokenSymbol: symbol,
          amount: credited / 2n,
        });
        expect(await available(symbol)).toBe(0n);
      }
      await expectBooksMatchTheChain();
    },
  );

  it("a sweep's gas top-up taken by the reorg is sent again: the gas tank's later top-ups are not stuck behind it", async () => {
    await useMode("treasury");
    const snapshot = await fx.testClient.snapshot();
    const lostId = await confirmedPayment("USDC", false);
    await settle();
    const lost = await database.db.sweep.findFirstOrThrow({ where: { paymentId: lostId } });
    expect(lost.gasFundTxHash).not.toBeNull();
    await rollBackAndScan(snapshot);
    expect(await database.db.sweep.findFirstOrThrow({ where: { paymentId: lostId } })).toMatchObject({
      status: "failed",
      gasFundTxHash: lost.gasFundTxHash,
    });

    // The next token payment needs a top-up from the gas tank: its nonce follows the one sent again.
    const id = await confirmedPayment("USDC", false);
    await settle();
    expect((await fx.payment(id)).status).toBe("settled");
    await fx.mine(2);
    await expectBooksMatchTheChain();
  });
});
