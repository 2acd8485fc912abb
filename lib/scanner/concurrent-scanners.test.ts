// Two scanners on one chain (two app instances, or an instance and `npm run worker`): one walks
// back after what looked like a reorg while the other scans on. The walk runs outside the chain's
// scan lock, so by the time it takes the lock its view may be out of date; reverting everything
// above its ancestor would take back blocks the other scanner has just checked and recorded (seen
// in the scale-out test: payments detected, confirmed and reverted over and over).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainClient } from "../chains/public-client";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { revertOrphanedBlocks } from "./revert-orphaned-blocks";

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database, { confirmations: 2 });
  await fx.mine(3);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

describe("two scanners on one chain", () => {
  it("a walk back overtaken by the other scanner reverts nothing", async () => {
    const first = await fx.createPayment({ amount: "1" });
    await fx.sendEth(first.address, BigInt(first.amount_base_units));
    await fx.mine(1);
    await fx.scan();
    const second = await fx.createPayment({ amount: "1" });
    await fx.sendEth(second.address, BigInt(second.amount_base_units));
    await fx.mine(2);

    // The walking scanner's node answers as usual, but while its walk is under way (its second
    // block read) the other scanner records the new blocks, the second payment's transfer among them.
    let reads = 0;
    const walking = new Proxy(fx.client, {
      get(target, property, receiver) {
        if (property !== "getBlock") return Reflect.get(target, property, receiver);
        return async (args: Parameters<ChainClient["getBlock"]>[0]) => {
          const block = await target.getBlock(args);
          reads += 1;
          if (reads === 2) await fx.scan();
          return block;
        };
      },
    }) as ChainClient;
    const handled = await revertOrphanedBlocks({
      db: database.db,
      client: walking,
      chain: fx.chain,
      baseUrl: BASE_URL,
      now: () => new Date(),
    });

    expect(reads).toBeGreaterThanOrEqual(2);
    const transfers = await database.db.transfer.findMany({ where: { paymentId: second.id } });
    expect(transfers.map((transfer) => transfer.status)).not.toContain("reverted");
    expect((await fx.payment(second.id)).status).not.toBe("pending");
    expect(await fx.eventTypes(second.id)).not.toContain("payment.reverted");
    expect(handled).toMatchObject({ superseded: true, revertedTransfers: 0 });
  });
});
