import { InngestTestEngine } from "@inngest/test";
import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../../lib/testing/scanner-fixture";
import { chainWatchRequested } from "../client";
import { createChainWatcher, createChainWatchSupervisor } from "./chain-watcher";

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

const dependencies = () => ({
  // The balance check runs every iteration here (it is due every 10 scanned blocks by default).
  getContext: () => ({ db: database.db, chains: [{ ...fx.chain, balanceCheckBlocks: 1 }] }),
  baseUrl: () => BASE_URL,
});

describe("chain-watcher function", () => {
  it("scans, checks native balances, expires, sleeps one block time and re-arms itself; real USDC and contract-sent ETH payments are detected", async () => {
    const engine = () =>
      new InngestTestEngine({
        function: createChainWatcher(dependencies()),
        // @inngest/test waits forever on a sleep and would send the event for real: both are mocked.
        steps: [
          { id: "wait-local", handler() {} },
          { id: "rearm-local", handler: () => ({ ids: ["mocked"] }) },
        ],
      });
    const event = chainWatchRequested.create({ chain: "local" });
    // First iteration: the cursor starts at the head.
    await engine().execute({ events: [event] });
    // ETH sent by a contract: only the balance check step can see it.
    const nativePayment = await fx.createPayment({ amount: "0.1" });
    await fx.sendEthViaContract(nativePayment.address, parseEther("0.1"));
    const payment = await fx.createPayment({ token: "USDC", amount: "5" });
    await fx.sendToken(payment.address, 5n * 10n ** 6n);

    const { result, ctx } = await engine().execute({ events: [event] });
    expect(ctx.step.run).toHaveBeenCalledWith("scan-local", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("check-balances-local", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("expire-local", expect.any(Function));
    expect(ctx.step.sleep).toHaveBeenCalledWith("wait-local", "1s");
    expect(ctx.step.sendEvent).toHaveBeenCalledWith(
      "rearm-local",
      expect.objectContaining({ name: "chain/watch.requested", data: { chain: "local" } }),
    );
    expect(result).toMatchObject({ chain: "local", transfersRecorded: 1, balanceCredits: 1, expired: 0 });
    expect((await fx.payment(payment.id)).status).toBe("detected");
    // Credited at the block the balance was read at (the scanned head), so one confirmation so far.
    expect((await fx.payment(nativePayment.id)).status).toBe("detected");
  });

  it("fails the scan step, recording the error, when the RPC is down", async () => {
    const down = { ...fx.chain, name: "down", rpcUrls: ["http://127.0.0.1:1"] };
    const engine = new InngestTestEngine({
      function: createChainWatcher({ getContext: () => ({ db: database.db, chains: [down] }) }),
      steps: [{ id: "wait-down", handler() {} }],
    });
    const { error } = await engine.execute({ events: [chainWatchRequested.create({ chain: "down" })] });
    expect(error).toMatchObject({ name: "ChainRpcError" });
    const cursor = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "down" } });
    expect(cursor.lastError).toMatch(/HTTP request failed/);
  });

  it("rejects an unknown chain without retrying", async () => {
    const engine = new InngestTestEngine({ function: createChainWatcher(dependencies()) });
    const { error } = await engine.execute({ events: [chainWatchRequested.create({ chain: "nope" })] });
    expect(error).toMatchObject({ name: "NonRetriableError", message: "unknown chain nope" });
  });
});

describe("chain-watch-supervisor function", () => {
  it("expires due payments and restarts the loops of stalled chains only", async () => {
    const stalled = { ...fx.chain, name: "stalled" };
    // The heartbeat read this chain's head a moment ago, but its watcher loop never completed a scan.
    const beating = { ...fx.chain, name: "beating" };
    await database.db.chainCursor.create({
      data: { chain: "beating", chainId: 31337, headBlock: 1n, headUpdatedAt: new Date() },
    });
    const engine = new InngestTestEngine({
      function: createChainWatchSupervisor({
        getContext: () => ({ db: database.db, chains: [fx.chain, stalled, beating] }),
        baseUrl: () => BASE_URL,
      }),
      steps: [{ id: "restart-watchers", handler: () => ({ ids: ["mocked"] }) }],
    });
    const { result, ctx } = await engine.execute({
      events: [{ name: "inngest/scheduled.timer", data: { cron: "* * * * *" } }],
    });
    expect(ctx.step.run).toHaveBeenCalledWith("expire-local", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("expire-stalled", expect.any(Function));
    // "local" was scanned by the test above a moment ago; "stalled" and "beating" never.
    expect(result).toMatchObject({ restarted: ["stalled", "beating"] });
    expect(ctx.step.sendEvent).toHaveBeenCalledWith("restart-watchers", [
      expect.objectContaining({ name: "chain/watch.requested", data: { chain: "stalled" } }),
      expect.objectContaining({ name: "chain/watch.requested", data: { chain: "beating" } }),
    ]);
  });
});
