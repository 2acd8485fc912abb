// The payouts job on the embedded runner's timer, on a test file's own Anvil mining a block a second
// (interval mining would disturb other files on the shared node): an approved payout goes out and
// is confirmed with nobody calling the service, and its payout.sent / payout.confirmed events are
// recorded for the webhooks.
import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { adjustBalance } from "../testing/ledger";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { type EmbeddedRunner, startEmbeddedRunner } from "./embedded-runner";
import { payoutJob } from "./jobs";

let database: TestDatabase;
let anvil: RunningAnvil;
let fx: SettlementFixture;
let runner: EmbeddedRunner | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort() });
  fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl });
  const { merchantId } = fx.merchant;
  // A hot wallet holding 1 ETH, booked as such.
  const hotWallet = await fx.useBalanceMode();
  await fx.testClient.setBalance({ address: hotWallet, value: parseEther("1") });
  await adjustBalance(database.db, merchantId, { tokenSymbol: "ETH", amount: parseEther("1") });
});
afterAll(async () => {
  await runner?.stop();
  await anvil?.stop();
  await database?.drop();
});

describe("payouts job on the embedded runner", () => {
  it("sends and confirms an approved payout on its own, a quarter block after approval at most per step", async () => {
    expect(payoutJob.intervalMs({ db: database.db, chains: [fx.chain], logger: createLogger() })).toBe(250);
    const logger = createLogger({}, { level: "error", write: () => {} });
    runner = startEmbeddedRunner({
      jobs: [payoutJob],
      context: { db: database.db, chains: [fx.chain], logger, mnemonic: fx.mnemonic },
      logger,
    });
    await fx.testClient.setIntervalMining({ interval: 1 });

    const payout = await fx.approvedPayout({ amount: "0.25" });
    const { recipient } = payout;

    await expect
      .poll(async () => (await database.db.payout.findUniqueOrThrow({ where: { id: payout.id } })).status, {
        timeout: 30_000,
      })
      .toBe("confirmed");
    expect(await fx.publicClient.getBalance({ address: recipient })).toBe(parseEther("0.25"));
    const events = await database.db.event.findMany({
      where: { objectId: payout.id },
      orderBy: { createdAt: "asc" },
      select: { type: true },
    });
    expect(events.map((event) => event.type)).toEqual(["payout.created", "payout.sent", "payout.confirmed"]);
  });
});
