// Reorgs at random depths 1–5 during a stream of payments (native and USDC; partial, full, over),
// paid with real transactions on a test file's own Anvil and scanned by the real watcher; some
// reorgs bring transfers back in other blocks, most drop them. The final state must equal a replay
// on the canonical chain: the payments copied as created into a second database and scanned from
// scratch, and the amounts read back from the chain itself. Reconciliation differences are zero.
// REORG_STREAM_SEED replays a run; REORG_STREAM_STEPS lengthens it (default 70).
import { type Address, encodeFunctionData, erc20Abi, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { reconcileChain } from "../settlement/reconcile-chain";
import {
  canonicalReceipts,
  finalState,
  type PlannedPayment,
  replayedState,
} from "../testing/canonical-replay";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { prng, seedFrom } from "../testing/prng";
import { type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";

const SEED = seedFrom("REORG_STREAM_SEED");
const STEPS = Number(process.env.REORG_STREAM_STEPS ?? 70);
/** Deeper than any reorg of the stream: a reorged transfer is never confirmed yet. */
const CONFIRMATIONS = 6;

let database: TestDatabase;
let replay: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  replay = await createTestDatabase();
  fx = await startScannerFixture(database, { confirmations: CONFIRMATIONS });
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
  await replay?.drop();
});

type Planned = PlannedPayment;

/** A transfer to a payment as a transaction request (sent now, or replayed inside a reorg). */
function transferRequest(from: Address, payment: Planned, units: bigint) {
  return payment.native
    ? { from, to: payment.address, value: toHex(units) }
    : {
        from,
        to: MOCK_USDC_ADDRESS,
        data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [payment.address, units] }),
      };
}

describe("reorg stream", () => {
  it(`${STEPS} steps of payments, scans and reorgs of depth 1–5 end as a replay of the canonical chain (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const int = (below: number) => Math.floor(random() * below);
    const payments: Planned[] = [];
    const firstBlock = await fx.publicClient.getBlockNumber({ cacheTime: 0 });
    const reorgDepths: number[] = [];
    let reincluded = 0;

    async function newPayment() {
      const native = random() < 0.5;
      const amount = native
        ? `0.${String(1 + int(999_999_999)).padStart(9, "0")}${String(int(1e9)).padStart(9, "0")}`
        : `${1 + int(300)}.${String(int(1e6)).padStart(6, "0")}`;
      const created = await fx.createPayment({
        token: native ? undefined : "USDC",
        amount,
        expiresIn: 86_400,
      });
      payments.push({
        id: created.id,
        address: created.address as Address,
        native,
        units: BigInt(created.amount_base_units),
      });
    }
    /** Partial, full or over, at random. */
    function someAmount(payment: Planned) {
      const kind = int(3);
      if (kind === 0) return payment.units / BigInt(2 + int(3)) + 1n;
      if (kind === 1) return payment.units;
      return payment.units + 1n + payment.units / BigInt(3 + int(7));
    }

    // Reorgs never reach below the stream (the devnet's setup blocks, the token's code).
    await fx.mine(5);
    for (let i = 0; i < 6; i++) await newPayment();
    for (let step = 0; step < STEPS; step++) {
      const roll = random();
      if (roll < 0.12) await newPayment();
      else if (roll < 0.55) {
        const payment = payments[int(payments.length)] as Planned;
        const units = someAmount(payment);
        if (payment.native) await fx.sendEth(payment.address, units);
        else await fx.sendToken(payment.address, units);
      } else if (roll < 0.65) await fx.mine(1 + int(3));
      else if (roll < 0.85) await fx.scan();
      else {
        const depth = 1 + int(5);
        // Half the reorgs bring a transfer into the new chain (at a random block of it).
        const replacing: [object, number][] = [];
        if (random() < 0.5) {
          const payment = payments[int(payments.length)] as Planned;
          replacing.push([transferRequest(fx.payer, payment, someAmount(payment)), int(depth)]);
          reincluded++;
        }
        await fx.testClient.request({ method: "anvil_reorg" as never, params: [depth, replacing] as never });
        reorgDepths.push(depth);
        if (random() < 0.5) await fx.scan();
      }
    }
    // Past every confirmation, and fully scanned.
    await fx.mine(CONFIRMATIONS + 1);
    await fx.scan();
    console.info(
      `reorg stream seed ${SEED}: ${payments.length} payments, ${STEPS} steps, ` +
        `${reorgDepths.length} reorgs (depths ${reorgDepths.join(",")}), ${reincluded} transfers re-included`,
    );
    expect(reorgDepths.length).toBeGreaterThan(0);

    const streamed = await finalState(database.db);
    // And from the chain itself: each payment's amount received is what its address got.
    const onChain = await canonicalReceipts(fx, payments, firstBlock);
    for (const payment of payments) {
      const row = streamed.find((candidate) => candidate.id === payment.id);
      const received = onChain.get(payment.address.toLowerCase()) ?? 0n;
      expect(row?.amountReceived, `${payment.id}, seed ${SEED}`).toBe(received.toString());
      expect(row?.status, `${payment.id}, seed ${SEED}`).toBe(
        received >= payment.units ? "confirmed" : "pending",
      );
      expect(row?.exception ?? null, `${payment.id}, seed ${SEED}`).toBe(
        received > payment.units ? "overpaid" : null,
      );
    }

    // Replay: the same payments, as created, in a fresh database scanned from scratch.
    expect(streamed, `seed ${SEED}`).toEqual(await replayedState(database, replay, fx));

    // Every payment's events are a valid walk ending in its status.
    for (const payment of streamed) {
      const events = await database.db.event.findMany({
        where: { objectId: payment.id },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { type: true },
      });
      const types = events.map((event) => event.type).filter((type) => type !== "payment.created");
      let state = "pending";
      for (const type of types) {
        const next: Record<string, string> = {
          "pending payment.detected": "detected",
          "detected payment.reverted": "pending",
          "detected payment.confirmed": "confirmed",
        };
        const to = next[`${state} ${type}`];
        expect(to, `${payment.id}: ${types.join(" → ")}, seed ${SEED}`).toBeDefined();
        state = to as string;
      }
      expect(state, `${payment.id}, seed ${SEED}`).toBe(payment.status);
    }

    const reconciliation = await reconcileChain({ db: database.db, chains: [fx.chain] }, { chain: "local" });
    expect(reconciliation.flagged_payments, `seed ${SEED}`).toEqual([]);
    for (const token of reconciliation.tokens) expect(token.difference, `seed ${SEED}`).toBe("0");
  });
});
