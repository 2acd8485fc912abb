// Resilience scenario "RPC outage" (RELIABILITY.md): the chain's only RPC URL (a proxy in front of a
// real Anvil node mining a block a second) stops listening for RPC_OUTAGE_SECONDS (default 10 in
// `npm test`, 60 in `npm run test:resilience`) while payments keep being paid. The real worker
// process runs throughout. Health must show the chain's error meanwhile; afterwards scanning resumes
// by itself, every payment is found and settled, the scanned blocks are continuous, and
// reconciliation finds every difference exactly zero.

import { parseEther, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { reconcileChainWithHotWallets } from "../balances/reconcile-hot-wallets";
import { getHealth } from "../health/get-health";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type ResilienceStack, type StackMerchant, startResilienceStack } from "../testing/resilience-stack";

const OUTAGE_MS = Number(process.env.RPC_OUTAGE_SECONDS ?? 10) * 1_000;

let database: TestDatabase;
let stack: ResilienceStack;
let merchant: StackMerchant;
beforeAll(async () => {
  database = await createTestDatabase();
  stack = await startResilienceStack(database);
  merchant = await stack.addMerchant("treasury");
});
afterAll(async () => {
  await stack?.stop(merchant ? [merchant] : []);
  await database?.drop();
});

describe("the chain's RPC unreachable while payments are paid", () => {
  it(`shows the error, then resumes without skipping a block (${OUTAGE_MS / 1000} s outage)`, {
    timeout: 180_000 + OUTAGE_MS * 2,
  }, async () => {
    const db = database.db;
    const health = async () => {
      const report = await getHealth({ db, chains: [stack.chain] });
      return { status: report.status, chain: report.chains[0] };
    };
    const plan = [
      { when: "before", token: undefined, amount: "0.2" },
      { when: "before", token: "USDC" as const, amount: "20" },
      { when: "during", token: undefined, amount: "0.3" },
      { when: "during", token: "USDC" as const, amount: "30" },
      { when: "during", token: undefined, amount: "0.4" },
      { when: "during", token: "USDC" as const, amount: "40" },
      { when: "after", token: undefined, amount: "0.5" },
    ];
    const payments: ((typeof plan)[number] & {
      id: string;
      address: string;
      units: bigint;
      blockNumber: bigint;
    })[] = [];
    for (const item of plan) {
      const created = await stack.createPayment(merchant, { token: item.token, amount: item.amount });
      const units = item.token ? parseUnits(item.amount, 6) : parseEther(item.amount);
      payments.push({ ...item, id: created.id, address: created.address, units, blockNumber: 0n });
    }
    const pay = async (payment: (typeof payments)[number]) => {
      const sent = await stack.pay({ token: payment.token, to: payment.address, units: payment.units });
      payment.blockNumber = (await sent.mined()).blockNumber;
    };

    await stack.worker.start();
    for (const payment of payments.filter((p) => p.when === "before")) await pay(payment);
    await expect.poll(async () => (await health()).status, { timeout: 30_000 }).toBe("ok");
    await expect
      .poll(() => db.payment.count({ where: { id: { in: payments.map((p) => p.id) }, status: "settled" } }), {
        timeout: 60_000,
      })
      .toBe(2);

    // The outage: nothing listens on the RPC URL; blocks and payments go on without it.
    const headAtOutage = await stack.publicClient.getBlockNumber({ cacheTime: 0 });
    await stack.proxy.goDown();
    const downAt = Date.now();
    const during = payments.filter((p) => p.when === "during");
    const samples: { atMs: number; status: string; chainStatus?: string; lastError: string | null }[] = [];
    let errorShownAfterMs: number | null = null;
    let paid = 0;
    while (Date.now() - downAt < OUTAGE_MS) {
      const elapsed = Date.now() - downAt;
      // Spread the payments over the outage.
      const payment = during[paid];
      if (payment && elapsed >= (paid * OUTAGE_MS) / during.length) {
        await pay(payment);
        paid += 1;
      }
      const sample = await health();
      samples.push({
        atMs: elapsed,
        status: sample.status,
        chainStatus: sample.chain?.status,
        lastError: sample.chain?.last_error ?? null,
      });
      if (errorShownAfterMs === null && sample.chain?.status === "error") errorShownAfterMs = elapsed;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const payment of during.slice(paid)) await pay(payment);
    const headAtRecovery = await stack.publicClient.getBlockNumber({ cacheTime: 0 });
    await stack.proxy.comeBack();
    const upAt = Date.now();

    // Health showed the error within a few seconds, and kept showing it until the node came back.
    expect(errorShownAfterMs, JSON.stringify(samples)).not.toBeNull();
    expect(errorShownAfterMs ?? Infinity).toBeLessThan(10_000);
    const afterError = samples.filter((sample) => sample.atMs >= (errorShownAfterMs ?? 0));
    for (const sample of afterError) {
      expect(sample.status).toBe("degraded");
      expect(sample.chainStatus).toBe("error");
      expect(sample.lastError).toBeTruthy();
    }

    // Scanning resumes by itself: the cursor catches up with the blocks mined meanwhile.
    await expect
      .poll(
        async () =>
          (await db.chainCursor.findUniqueOrThrow({ where: { chain: stack.chain.name } })).lastScannedBlock,
        {
          timeout: 90_000,
          interval: 100,
        },
      )
      .toBeGreaterThanOrEqual(headAtRecovery);
    const caughtUpMs = Date.now() - upAt;
    await expect.poll(async () => (await health()).status, { timeout: 30_000 }).toBe("ok");
    for (const payment of payments.filter((p) => p.when === "after")) await pay(payment);

    // Every payment found, credited exactly, and swept: the settlement also went through the outage.
    await expect
      .poll(() => db.payment.count({ where: { id: { in: payments.map((p) => p.id) }, status: "settled" } }), {
        timeout: 90_000,
      })
      .toBe(payments.length);
    const settledMs = Date.now() - upAt;
    expect(await stack.worker.stop()).toBe(0);
    for (const payment of payments) {
      const row = await db.payment.findUniqueOrThrow({
        where: { id: payment.id },
        include: { transfers: true },
      });
      expect(toBigInt(row.amountReceived)).toBe(payment.units);
      expect(row.transfers.map((transfer) => transfer.blockNumber)).toEqual([payment.blockNumber]);
    }

    // No block skipped: every block from the first scanned to the cursor is stored, with the canonical hash.
    const cursor = await db.chainCursor.findUniqueOrThrow({ where: { chain: stack.chain.name } });
    const blocks = await db.chainBlock.findMany({
      where: { chain: stack.chain.name },
      orderBy: { number: "asc" },
    });
    const first = blocks[0]?.number ?? 0n;
    expect(blocks.map((block) => block.number)).toEqual(
      Array.from(
        { length: Number((cursor.lastScannedBlock ?? 0n) - first + 1n) },
        (_, i) => first + BigInt(i),
      ),
    );
    const outageBlocks = blocks.filter(
      (block) => block.number >= headAtOutage && block.number <= headAtRecovery,
    );
    expect(outageBlocks.length).toBe(Number(headAtRecovery - headAtOutage) + 1);
    for (const block of outageBlocks)
      expect(block.hash).toBe((await stack.publicClient.getBlock({ blockNumber: block.number })).hash);

    // Reconciliation: received = swept + fees + held, and every wei of gas, exactly.
    const report = await reconcileChainWithHotWallets(
      { ...stack.deps, actor: OPERATOR },
      {
        chain: stack.chain.name,
        merchantId: merchant.merchantId,
      },
    );
    expect(report.flagged_payments).toEqual([]);
    expect(report.tokens.map((token) => token.difference)).toEqual(["0", "0"]);
    expect(report.gas.difference).toBe("0");
    expect(report.flagged_gas).toEqual([]);

    console.log(
      JSON.stringify({
        scenario: "rpc-outage",
        outageSeconds: OUTAGE_MS / 1000,
        blocksMinedDuringOutage: Number(headAtRecovery - headAtOutage),
        errorShownAfterSeconds: (errorShownAfterMs ?? 0) / 1000,
        healthSamplesDuringOutage: samples.length,
        caughtUpAfterSeconds: caughtUpMs / 1000,
        allSettledAfterSeconds: settledMs / 1000,
        payments: payments.length,
        paidDuringOutage: during.length,
        blocksStored: blocks.length,
      }),
    );
  });
});
