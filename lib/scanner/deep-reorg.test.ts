// Reorgs deeper than the confirmations, on a test file's own Anvil, scanned by the real watcher:
// confirmed is not final. anvil_reorg at depths 1, confirmations + 1, 20 and 64 (native and USDC;
// partial, exact and overpaid payments), a devnet rolled back with evm_snapshot/evm_revert (the
// issue's reproduction), and a recorded transfer whose block hash no longer matches. The final
// state must be a replay of the canonical chain: amounts, statuses, events, reconciliation.
import { type Address, encodeFunctionData, erc20Abi, type Hex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TChain } from "../config/chains";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { serializeEvent } from "../events/event-object";
import { createLogger } from "../logger";
import { reconcileChain } from "../settlement/reconcile-chain";
import {
  canonicalReceipts,
  finalState,
  type PlannedPayment,
  replayedState,
} from "../testing/canonical-replay";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { scanChain } from "./scan-chain";

let database: TestDatabase;
let replay: TestDatabase;
let fx: ScannerFixture;
let firstBlock: bigint;
const planned: PlannedPayment[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  replay = await createTestDatabase();
  fx = await startScannerFixture(database, { confirmations: 2 });
  await fx.mine(3);
  firstBlock = (await fx.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
  await replay?.drop();
});

function request(payment: PlannedPayment, units: bigint) {
  return payment.native
    ? { from: fx.payer, to: payment.address, value: toHex(units) }
    : {
        from: fx.payer,
        to: MOCK_USDC_ADDRESS,
        // A transfer to a fresh holder needs more than a reorg's default gas.
        gas: toHex(100_000),
        data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payment.address, units] }),
      };
}

/** Sends the transfers and mines them all in one block; returns their hashes. */
async function payInOneBlock(transfers: [PlannedPayment, bigint][]): Promise<Hex[]> {
  await fx.testClient.setAutomine(false);
  try {
    const hashes: Hex[] = [];
    for (const [payment, units] of transfers)
      hashes.push(
        (await fx.publicClient.request({
          method: "eth_sendTransaction" as never,
          params: [request(payment, units)] as never,
        })) as Hex,
      );
    await fx.mine(1);
    return hashes;
  } finally {
    await fx.testClient.setAutomine(true);
  }
}

/** Native and USDC payments, each paid partially, exactly and over. */
async function sixPayments(chain: TChain) {
  const payments: { payment: PlannedPayment; units: bigint; kind: string }[] = [];
  for (const native of [true, false])
    for (const kind of ["partial", "exact", "over"]) {
      const created = await fx.createPayment({ token: native ? undefined : "USDC", amount: "1.5", chain });
      const payment = {
        id: created.id,
        address: created.address as Address,
        native,
        units: BigInt(created.amount_base_units),
      };
      planned.push(payment);
      const units =
        kind === "partial" ? payment.units / 2n : kind === "exact" ? payment.units : payment.units * 2n;
      payments.push({ payment, units, kind });
    }
  return payments;
}

async function reorgEvents(paymentId: string) {
  const rows = await database.db.event.findMany({
    where: { objectId: paymentId, type: "payment.reverted" },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => serializeEvent(row));
}

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({}, { level: "warn", write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("deep reorgs", () => {
  it("the issue's reproduction: paid, confirmed, devnet reverted to before the payment and mined on", async () => {
    const created = await fx.createPayment({ token: "USDC", amount: "10" });
    planned.push({ id: created.id, address: created.address as Address, native: false, units: 10_000_000n });
    const snapshot = await fx.testClient.snapshot();
    const receipt = await fx.sendToken(created.address, 10_000_000n);
    await fx.mine(1);
    await fx.scan();
    expect((await fx.payment(created.id)).status).toBe("confirmed");
    await fx.mine(5);
    await fx.scan();
    const scannedTip = (await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } }))
      .lastScannedBlock as bigint;
    expect(scannedTip).toBe(receipt.blockNumber + 6n);
    await fx.testClient.revert({ id: snapshot });
    await fx.mine(10);

    const { logger, lines } = captureLogger();
    const result = await scanChain(
      { db: database.db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL, logger },
      { maxRanges: 100 },
    );
    expect(result.reorgsHandled).toBeGreaterThan(0);
    const row = await fx.payment(created.id);
    expect(row).toMatchObject({ status: "pending", exception: null, confirmedAt: null, detectedAt: null });
    expect(row.amountReceived.toFixed()).toBe("0");
    expect(row.transfers.map((t) => t.status)).toEqual(["reverted"]);
    expect(await fx.eventTypes(created.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
      "payment.reverted",
    ]);
    const [reverted] = await reorgEvents(created.id);
    expect(reverted?.data.object).toMatchObject({ status: "pending", amount_received: "0" });
    // The depth is what was rolled back: down to the highest recorded block the chain still has.
    const [incident] = await database.db.chainIncident.findMany({ where: { kind: "deep_reorg" } });
    const depth = Number(scannedTip - (incident?.ancestorBlock ?? 0n));
    expect(depth).toBeGreaterThanOrEqual(Number(scannedTip - receipt.blockNumber + 1n));
    expect(reverted?.data.reorg?.depth).toBe(depth);
    expect(reverted?.data.reorg?.transfers_removed).toEqual([
      expect.objectContaining({ tx_hash: receipt.transactionHash, amount: "10000000" }),
    ]);

    // Deeper than the 2 confirmations: an incident and one error line with numbers and hashes.
    const incidents = await database.db.chainIncident.findMany({ where: { kind: "deep_reorg" } });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ chain: "local", orphanedBlock: scannedTip, acknowledgedAt: null });
    // The merchant whose payment it reverted is notified (lib/notifications), naming the payment.
    const notifications = await database.db.notification.findMany({
      where: { kind: "deep_reorg", merchantId: { not: null } },
    });
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.body).toContain(created.id);
    const errors = lines.filter((line) => line.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: "chain reorganisation deeper than the confirmations",
      chain: "local",
      orphanedBlock: scannedTip.toString(),
      orphanedHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      ancestorHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
  });

  it("a devnet reverted below the last scanned block (head lower) is handled before mining on", async () => {
    const created = await fx.createPayment({ amount: "0.25" });
    planned.push({
      id: created.id,
      address: created.address as Address,
      native: true,
      units: 25n * 10n ** 16n,
    });
    const snapshot = await fx.testClient.snapshot();
    await fx.sendEth(created.address, 250_000_000_000_000_000n);
    await fx.mine(3);
    await fx.scan();
    expect((await fx.payment(created.id)).status).toBe("confirmed");
    await fx.testClient.revert({ id: snapshot });
    const result = await fx.scan();
    expect(result.reorgsHandled).toBeGreaterThan(0);
    expect(await fx.payment(created.id)).toMatchObject({ status: "pending" });
    expect((await reorgEvents(created.id)).map((event) => event.data.object.status)).toEqual(["pending"]);
  });

  it.each([1, 3, 20, 64])(
    "anvil_reorg of depth %i over confirmed native and USDC payments (partial, exact, over)",
    async (depth) => {
      // Depth 1 can only reach a confirmed payment with 1 confirmation; the others exceed 2.
      const confirmations = depth === 1 ? 1 : 2;
      const chain = { ...fx.chain, confirmations };
      const payments = await sixPayments(chain);
      const incidentsBefore = await database.db.chainIncident.count({ where: { kind: "deep_reorg" } });
      await fx.mine(1);
      await fx.scan({}, { chain });
      const hashes = await payInOneBlock(payments.map(({ payment, units }) => [payment, units]));
      await fx.mine(depth - 1);
      await fx.scan({}, { chain });
      for (const { payment, kind } of payments)
        expect((await fx.payment(payment.id)).status).toBe(kind === "partial" ? "pending" : "confirmed");

      // The new chain drops everything, except the overpaid USDC transfer, re-included at its tip.
      const overUsdc = payments.findIndex(({ payment, kind }) => !payment.native && kind === "over");
      const again = payments[overUsdc] as (typeof payments)[number];
      await fx.testClient.request({
        method: "anvil_reorg" as never,
        params: [depth, [[request(again.payment, again.units), depth - 1]]] as never,
      });
      await fx.scan({}, { chain });
      for (const { payment, kind } of payments) {
        const row = await fx.payment(payment.id);
        if (payment === again.payment) {
          // The remainder is still there, with fewer confirmations: detected again.
          expect(row.status, `depth ${depth}`).toBe(confirmations > 1 ? "detected" : "confirmed");
          expect(row.amountReceived.toFixed()).toBe(again.units.toString());
        } else {
          expect(row.status, `${kind} depth ${depth}`).toBe("pending");
          expect(row.amountReceived.toFixed()).toBe("0");
        }
        const reverted = await reorgEvents(payment.id);
        if (kind === "partial") expect(reverted).toEqual([]);
        else {
          expect(reverted).toHaveLength(1);
          expect(reverted[0]?.data.reorg?.depth).toBe(depth);
          expect(reverted[0]?.data.reorg?.transfers_removed.map((t) => t.tx_hash)).toEqual([
            hashes[payments.findIndex((p) => p.payment === payment)],
          ]);
        }
      }
      const incidents = await database.db.chainIncident.count({ where: { kind: "deep_reorg" } });
      expect(incidents - incidentsBefore).toBe(depth > confirmations ? 1 : 0);

      await fx.mine(confirmations);
      await fx.scan({}, { chain });
      expect(await fx.payment(again.payment.id)).toMatchObject({
        status: "confirmed",
        exception: "overpaid",
      });
    },
  );

  it("a recorded transfer whose block hash is not the chain's is reverted and found again, however old", async () => {
    const created = await fx.createPayment({ token: "USDC", amount: "3" });
    const receipt = await fx.sendToken(created.address, 3_000_000n);
    planned.push({ id: created.id, address: created.address as Address, native: false, units: 3_000_000n });
    await fx.mine(300);
    await fx.scan();
    expect((await fx.payment(created.id)).status).toBe("confirmed");
    // As if recorded from a node on another fork: the stored tip is canonical, this block is not.
    await database.db.transfer.updateMany({
      where: { paymentId: created.id },
      data: { blockHash: `0x${"ab".repeat(32)}` },
    });
    await fx.scan({ verifyAllIntervalMs: 0 });
    const row = await fx.payment(created.id);
    expect(row.status).toBe("confirmed");
    expect(row.transfers.map((t) => [t.status, t.blockHash])).toEqual([["confirmed", receipt.blockHash]]);
    expect(await fx.eventTypes(created.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
      "payment.reverted",
      "payment.detected",
      "payment.confirmed",
    ]);
  });

  it("finality: finalized — confirmed only once the block is at or below the node's finalized block", async () => {
    const chain = { ...fx.chain, finality: "finalized" as const };
    const created = await fx.createPayment({ token: "USDC", amount: "4", chain });
    planned.push({ id: created.id, address: created.address as Address, native: false, units: 4_000_000n });
    const receipt = await fx.sendToken(created.address, 4_000_000n);
    await fx.mine(5);
    await fx.scan({}, { chain });
    const finalized = await fx.publicClient.getBlock({ blockTag: "finalized" });
    expect(finalized.number).toBeLessThan(receipt.blockNumber);
    const row = await fx.payment(created.id);
    expect(row.status).toBe("detected");
    expect(row.transfers[0]).toMatchObject({ status: "confirming", confirmations: 1 });
    while ((await fx.publicClient.getBlock({ blockTag: "finalized" })).number < receipt.blockNumber)
      await fx.mine(16);
    await fx.mine(1);
    await fx.scan({}, { chain });
    expect(await fx.payment(created.id)).toMatchObject({ status: "confirmed" });
  });

  it("ends as a replay of the canonical chain: amounts, statuses, events, reconciliation", async () => {
    await fx.mine(3);
    await fx.scan();
    const streamed = await finalState(database.db);
    const onChain = await canonicalReceipts(fx, planned, firstBlock);
    for (const payment of planned) {
      const row = streamed.find((candidate) => candidate.id === payment.id);
      const received = onChain.get(payment.address.toLowerCase()) ?? 0n;
      expect(row?.amountReceived, payment.id).toBe(received.toString());
      expect(row?.status, payment.id).toBe(received >= payment.units ? "confirmed" : "pending");
    }
    const replayed = await replayedState(database, replay, fx);
    const ids = new Set(planned.map((payment) => payment.id));
    expect(streamed.filter((row) => ids.has(row.id))).toEqual(replayed.filter((row) => ids.has(row.id)));
    const reconciliation = await reconcileChain({ db: database.db, chains: [fx.chain] }, { chain: "local" });
    expect(reconciliation.flagged_payments).toEqual([]);
    for (const token of reconciliation.tokens) expect(token.difference).toBe("0");
  });
});
