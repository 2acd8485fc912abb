// Resilience scenario "worker crash" (RELIABILITY.md): the real worker process is killed with
// SIGKILL at random points while payments (native and USDC, treasury and balance mode) are paid on
// a real Anvil node, swept, paid out and announced by webhooks, and restarted each time. At the end
// every payment is settled, nothing was credited, swept, paid out, booked or announced twice or lost,
// and reconciliation finds every difference exactly zero. RESILIENCE_KILLS (default 4 in `npm test`,
// 20 in `npm run test:resilience`) sets the number of kills, RESILIENCE_SEED replays a run's timings.

import { Webhook } from "standardwebhooks";
import { type Hash, parseEther, parseUnits } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, userActor } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { reconcileChainWithHotWallets } from "../balances/reconcile-hot-wallets";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";
import { createPayout } from "../payouts/create-payout";
import { approvePayout } from "../payouts/review-payout";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { prng } from "../testing/prng";
import { type ResilienceStack, type StackMerchant, startResilienceStack } from "../testing/resilience-stack";

const KILLS = Number(process.env.RESILIENCE_KILLS ?? 4);
const SEED = Number(process.env.RESILIENCE_SEED ?? Date.now() % 1_000_000);
/** Payments paid during the kills: at least eight, one or two more per kill. */
const PAYMENTS = Math.max(8, Math.ceil(KILLS * 1.5));
/** Longest a kill waits for the phase it aims at to be under way. */
const PHASE_WAIT_MS = 8_000;
/** Once it is, the kill lands anywhere in the next [0, this) ms. */
const MAX_EXTRA_MS = 1_000;

type PlannedPayment = { id: string; merchant: StackMerchant; token?: "USDC"; units: bigint; address: string };

let database: TestDatabase;
let stack: ResilienceStack;
let treasuryMerchant: StackMerchant;
let balanceMerchant: StackMerchant;
beforeAll(async () => {
  database = await createTestDatabase();
  stack = await startResilienceStack(database);
  treasuryMerchant = await stack.addMerchant("treasury");
  balanceMerchant = await stack.addMerchant("balance");
});
afterAll(async () => {
  await stack?.stop([treasuryMerchant, balanceMerchant].filter(Boolean));
  await database?.drop();
});

describe("worker killed with SIGKILL at random points", () => {
  it(`settles everything exactly once across ${KILLS} kills (seed ${SEED})`, {
    timeout: 240_000 + KILLS * 15_000,
  }, async () => {
    const db = database.db;
    const next = prng(SEED);
    const payments: PlannedPayment[] = [];
    for (let index = 0; index < PAYMENTS; index++) {
      const merchant = index % 2 === 0 ? balanceMerchant : treasuryMerchant;
      const token = index % 4 < 2 ? undefined : ("USDC" as const);
      const amount = token ? `${10 + index}.5` : `0.${index + 1}`;
      const created = await stack.createPayment(merchant, { token, amount });
      payments.push({
        id: created.id,
        merchant,
        token,
        units: token ? parseUnits(amount, 6) : parseEther(amount),
        address: created.address,
      });
    }

    // Each kill aims at one phase in turn: it waits until that work is under way in the worker
    // (or PHASE_WAIT_MS passed), then a random 0–MAX_EXTRA_MS more, and kills.
    const activeAtKill = { scanning: 0, webhooks: 0, sweeping: 0, payouts: 0 };
    const phases = Object.keys(activeAtKill) as (keyof typeof activeAtKill)[];
    const payoutIds: string[] = [];
    const perKill = Math.ceil(PAYMENTS / KILLS);
    const started = Date.now();
    for (let kill = 0; kill < KILLS; kill++) {
      await stack.worker.start();
      const sent = [];
      for (const payment of payments.slice(kill * perKill, (kill + 1) * perKill))
        sent.push(await stack.pay({ token: payment.token, to: payment.address, units: payment.units }));
      const target = phases[kill % phases.length] ?? "scanning";
      payoutIds.push(...(await createPayouts(balanceMerchant)));
      const deadline = Date.now() + PHASE_WAIT_MS;
      while (Date.now() < deadline && !(await activity(payments))[target])
        await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, next() * MAX_EXTRA_MS));
      const active = await activity(payments);
      await stack.worker.kill();
      await Promise.all(sent.map((transaction) => transaction.mined()));
      for (const phase of phases) if (active[phase]) activeAtKill[phase] += 1;
    }
    const killPhaseMs = Date.now() - started;

    // Once more, without a kill: everything must finish from whatever state the kills left.
    await stack.worker.start();
    if (payoutIds.length === 0) {
      await expect.poll(() => database.db.balance.count(), { timeout: 60_000 }).toBeGreaterThan(0);
      payoutIds.push(...(await createPayouts(balanceMerchant)));
    }
    const settleStarted = Date.now();
    await expect
      .poll(async () => finished(payments, payoutIds), { timeout: 150_000, interval: 500 })
      .toBe(true);
    const settleMs = Date.now() - settleStarted;
    expect(await stack.worker.stop()).toBe(0);

    // Every payment: settled, credited once with exactly what was paid, swept once.
    for (const payment of payments) {
      const row = await db.payment.findUniqueOrThrow({
        where: { id: payment.id },
        include: { transfers: true, sweeps: true },
      });
      expect(row.status, payment.id).toBe("settled");
      expect(row.exception).toBeNull();
      expect(toBigInt(row.amountReceived)).toBe(payment.units);
      expect(row.transfers.filter((transfer) => transfer.status !== "reverted")).toHaveLength(1);
      expect(row.sweeps).toHaveLength(1);
      expect(row.sweeps[0]?.status).toBe("confirmed");
      const types = (
        await db.event.findMany({ where: { objectId: payment.id }, select: { type: true } })
      ).map((event) => event.type);
      for (const type of ["payment.created", "payment.confirmed", "payment.settled"])
        expect(
          types.filter((candidate) => candidate === type),
          `${payment.id} ${type}`,
        ).toHaveLength(1);
      expect(new Set(types).size, `${payment.id} events ${types.join(", ")}`).toBe(types.length);
    }

    // On chain: every transaction our senders ever sent is one the database recorded, once.
    const sent = await transactionsFrom(
      new Set(
        [
          ...payments.map((payment) => payment.address),
          stack.gasTank,
          balanceMerchant.hotWallet,
          treasuryMerchant.hotWallet,
        ].map((address) => address.toLowerCase()),
      ),
    );
    const sweeps = await db.sweep.findMany();
    const payouts = await db.payout.findMany({ where: { id: { in: payoutIds } } });
    const hotWalletTopUps = await db.hotWalletGasTopUp.findMany();
    // Every transaction recorded: each sweep's transfer and the reverted ones it retried after, every
    // mined gas top-up, each payout, each gas top-up of a hot wallet.
    const recorded = [
      ...new Set(
        [
          ...sweeps.flatMap((sweep) => [
            sweep.txHash,
            ...sweep.revertedTxHashes,
            sweep.gasFundTxHash,
            ...sweep.gasFundTxHashes,
          ]),
          ...payouts.map((payout) => payout.txHash),
          ...hotWalletTopUps.map((topUp) => topUp.txHash),
        ]
          .filter((hash): hash is string => hash !== null)
          .map((hash) => hash.toLowerCase()),
      ),
    ];
    const unrecorded = [...sent.entries()].filter(([hash]) => !recorded.includes(hash));
    const unrecordedDetails = await Promise.all(
      unrecorded.map(async ([hash]) => {
        const [transaction, receipt] = await Promise.all([
          stack.publicClient.getTransaction({ hash: hash as Hash }),
          stack.publicClient.getTransactionReceipt({ hash: hash as Hash }),
        ]);
        return {
          hash,
          to: transaction.to,
          input: transaction.input.slice(0, 200),
          value: String(transaction.value),
          gas: String(transaction.gas),
          gasUsed: String(receipt.gasUsed),
          status: receipt.status,
          block: String(receipt.blockNumber),
        };
      }),
    );
    expect(
      unrecorded,
      JSON.stringify(
        {
          unrecorded: unrecordedDetails,
          gasTank: stack.gasTank,
          hot: balanceMerchant.hotWallet,
          sweeps: sweeps.map((s) => [
            s.id,
            s.tokenAddress,
            s.fromAddress,
            s.txHash,
            s.nonce,
            s.gasFundTxHash,
            s.gasFundNonce,
            s.gasFundTxHashes,
            s.toAddress,
            s.replacedTxHashes,
            s.attempts,
            s.lastError,
          ]),
          payouts: payouts.map((p) => [
            p.id,
            p.tokenSymbol,
            p.txHash,
            p.nonce,
            p.replacedTxHashes,
            p.lastError,
          ]),
        },
        null,
        1,
      ),
    ).toEqual([]);
    expect([...sent.keys()].sort()).toEqual(recorded.sort());
    // One transaction per deposit (one more per reverted attempt, each recorded), one per top-up.
    for (const payment of payments)
      expect(
        [...sent.values()].filter((tx) => tx.from === payment.address.toLowerCase()),
        `transactions from ${payment.address}`,
      ).toHaveLength(
        1 + (sweeps.find((sweep) => sweep.paymentId === payment.id)?.revertedTxHashes.length ?? 0),
      );
    expect([...sent.values()].filter((tx) => tx.from === stack.gasTank.toLowerCase())).toHaveLength(
      sweeps.reduce((total, sweep) => total + sweep.gasFundTxHashes.length, 0) + hotWalletTopUps.length,
    );
    expect(
      [...sent.values()].filter((tx) => tx.from === balanceMerchant.hotWallet.toLowerCase()),
    ).toHaveLength(payouts.length);
    for (const payout of payouts) expect(payout.status, payout.id).toBe("confirmed");

    // The treasury holds exactly what the confirmed sweeps say: nothing arrived twice.
    const treasurySweeps = sweeps.filter((sweep) => sweep.merchantId === treasuryMerchant.merchantId);
    const sum = (rows: typeof sweeps) => rows.reduce((total, sweep) => total + toBigInt(sweep.amount), 0n);
    expect(await stack.publicClient.getBalance({ address: treasuryMerchant.sweepTarget })).toBe(
      sum(treasurySweeps.filter((sweep) => sweep.tokenAddress === null)),
    );
    expect(await stack.tokenBalance(treasuryMerchant.sweepTarget)).toBe(
      sum(treasurySweeps.filter((sweep) => sweep.tokenAddress !== null)),
    );

    // Ledger: rebuilt from its entries it equals the balances; one credit per payment, one debit per payout.
    expect(await findLedgerMismatches(db)).toEqual([]);
    const entries = await db.balanceTransaction.findMany({
      where: { merchantId: balanceMerchant.merchantId },
    });
    for (const payment of payments.filter((candidate) => candidate.merchant === balanceMerchant))
      expect(
        entries.filter((entry) => entry.paymentId === payment.id && entry.type === "payment_settled"),
      ).toHaveLength(1);
    for (const payout of payouts)
      expect(entries.filter((entry) => entry.payoutId === payout.id && entry.type === "payout")).toHaveLength(
        1,
      );

    // Reconciliation: received = swept + fees + held, hot wallets = ledger, exactly.
    for (const merchant of [treasuryMerchant, balanceMerchant]) {
      const report = await reconcileChainWithHotWallets(
        { ...stack.deps, actor: OPERATOR },
        {
          chain: stack.chain.name,
          merchantId: merchant.merchantId,
        },
      );
      expect(report.flagged_payments).toEqual([]);
      expect(report.tokens.map((token) => token.difference)).toEqual(["0", "0"]);
      expect(report.hot_wallets.map((token) => token.difference)).toEqual(["0", "0"]);
      expect(report.gas.difference).toBe("0");
      expect(report.flagged_gas).toEqual([]);
    }

    // Webhooks: every event delivered at least once, signed; a duplicate carries the same webhook-id.
    let duplicates = 0;
    for (const merchant of [treasuryMerchant, balanceMerchant]) {
      const events = await db.event.findMany({
        where: { merchantId: merchant.merchantId },
        select: { id: true },
      });
      const verifier = new Webhook(merchant.webhookSecret);
      const seen = new Map<string, number>();
      for (const delivery of merchant.receiver.received) {
        const body = verifier.verify(delivery.body, delivery.headers) as { id: string };
        expect(body.id).toBe(delivery.headers["webhook-id"]);
        seen.set(body.id, (seen.get(body.id) ?? 0) + 1);
      }
      expect([...seen.keys()].sort()).toEqual(events.map((event) => event.id).sort());
      duplicates += [...seen.values()].reduce((total, count) => total + count - 1, 0);
    }

    console.log(
      JSON.stringify({
        scenario: "worker-crash",
        seed: SEED,
        kills: KILLS,
        activeAtKill,
        payments: payments.length,
        payouts: payouts.length,
        sweeps: sweeps.length,
        chainTransactions: sent.size,
        webhooksReceived:
          treasuryMerchant.receiver.received.length + balanceMerchant.receiver.received.length,
        duplicateWebhooks: duplicates,
        killPhaseSeconds: killPhaseMs / 1000,
        settleAfterLastRestartSeconds: settleMs / 1000,
      }),
    );
  });
});

/** A third of the balance merchant's available ETH and USDC, paid out (created and approved). */
async function createPayouts(merchant: StackMerchant): Promise<string[]> {
  const balances = await database.db.balance.findMany({ where: { merchantId: merchant.merchantId } });
  const available = (symbol: string) =>
    toBigInt(balances.find((balance) => balance.tokenSymbol === symbol)?.available ?? { toFixed: () => "0" });
  const ids: string[] = [];
  const plan = [
    { token: undefined, units: available("ETH") / 3n, decimals: 18 },
    // A token payout's gas is paid from the native balance: only with some ETH to spare.
    {
      token: "USDC",
      units: available("ETH") > parseEther("0.05") ? available("USDC") / 3n : 0n,
      decimals: 6,
    },
  ];
  for (const { token, units, decimals } of plan) {
    if (units === 0n) continue;
    const payout = await createPayout({ ...stack.deps, actor: OPERATOR }, merchant.merchantId, {
      chain: stack.chain.name,
      token,
      amount: formatAmount(units, decimals),
      address: privateKeyToAddress(generatePrivateKey()),
    });
    if (payout.status === "pending_approval")
      await approvePayout(
        {
          ...stack.deps,
          actor: userActor({ merchantId: merchant.merchantId, userId: merchant.userId, role: "owner" }),
        },
        merchant.merchantId,
        payout.id,
      );
    ids.push(payout.id);
  }
  return ids;
}

/** What was under way when the worker was killed. */
async function activity(payments: PlannedPayment[]) {
  const db = database.db;
  const [cursor, unconfirmed, sweeps, payouts, deliveries] = await Promise.all([
    db.chainCursor.findUnique({ where: { chain: stack.chain.name } }),
    db.payment.count({
      where: { id: { in: payments.map((p) => p.id) }, status: { in: ["pending", "detected"] } },
    }),
    db.sweep.count({ where: { status: { notIn: ["confirmed", "failed"] } } }),
    db.payout.count({ where: { status: { in: ["approved", "sent"] } } }),
    db.webhookDelivery.count({ where: { status: "pending" } }),
  ]);
  const head = await stack.publicClient.getBlockNumber({ cacheTime: 0 });
  return {
    scanning: unconfirmed > 0 || (cursor?.lastScannedBlock ?? -1n) < head,
    sweeping: sweeps > 0,
    payouts: payouts > 0,
    webhooks: deliveries > 0,
  };
}

async function finished(payments: PlannedPayment[], payoutIds: string[]): Promise<boolean> {
  const db = database.db;
  const [unsettled, openPayouts, pendingDeliveries] = await Promise.all([
    db.payment.count({ where: { id: { in: payments.map((p) => p.id) }, status: { not: "settled" } } }),
    db.payout.count({ where: { id: { in: payoutIds }, status: { not: "confirmed" } } }),
    db.webhookDelivery.count({ where: { status: "pending" } }),
  ]);
  if (unsettled + openPayouts + pendingDeliveries > 0) return false;
  // Every event has reached its receiver (a delivery row exists only once the event was dispatched).
  const events = await db.event.findMany({ select: { id: true, merchantId: true } });
  return events.every((event) => {
    const merchant = event.merchantId === treasuryMerchant.merchantId ? treasuryMerchant : balanceMerchant;
    return merchant.receiver.received.some((delivery) => delivery.headers["webhook-id"] === event.id);
  });
}

/** Every transaction mined so far whose sender is in `senders` (lower-case), by hash. */
async function transactionsFrom(senders: Set<string>): Promise<Map<string, { from: string; nonce: number }>> {
  const head = await stack.publicClient.getBlockNumber({ cacheTime: 0 });
  const found = new Map<string, { from: string; nonce: number }>();
  for (let start = 0n; start <= head; start += 50n) {
    const numbers = Array.from({ length: 50 }, (_, offset) => start + BigInt(offset)).filter(
      (n) => n <= head,
    );
    const blocks = await Promise.all(
      numbers.map((blockNumber) => stack.publicClient.getBlock({ blockNumber, includeTransactions: true })),
    );
    for (const block of blocks)
      for (const tx of block.transactions)
        if (senders.has(tx.from.toLowerCase()))
          found.set((tx.hash as Hash).toLowerCase(), { from: tx.from.toLowerCase(), nonce: tx.nonce });
  }
  return found;
}
