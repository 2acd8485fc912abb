import { InngestTestEngine } from "@inngest/test";
import { createTestClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TChain } from "../../lib/config/chains";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { testChain } from "../../lib/testing/test-chain";
import { chainHeartbeatRequested } from "../client";
import { createChainHeartbeat } from "./chain-heartbeat";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

function engine(chains: TChain[]) {
  return new InngestTestEngine({
    function: createChainHeartbeat({ getContext: () => ({ db: database.db, chains }) }),
  });
}

describe("chain-heartbeat function", () => {
  it("records the requested chain's head in a step and nothing for the other chains", async () => {
    await createTestClient({ mode: "anvil", transport: http(inject("anvilRpcUrl")) }).mine({ blocks: 2 });
    const other = testChain({ name: "other", chainId: 1, rpcUrls: ["http://127.0.0.1:1"] });

    const { result, ctx } = await engine([testChain(), other]).execute({
      events: [chainHeartbeatRequested.create({ chain: "local" })],
    });

    const cursor = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    expect(cursor.headBlock).toBeGreaterThanOrEqual(2n);
    expect(cursor.lastError).toBeNull();
    expect(result).toEqual([{ chain: "local", headBlock: cursor.headBlock?.toString() }]);
    expect(ctx.step.run).toHaveBeenCalledTimes(1);
    expect(ctx.step.run).toHaveBeenCalledWith("record-head-local", expect.any(Function));
    expect(await database.db.chainCursor.findUnique({ where: { chain: "other" } })).toBeNull();
  });

  it("records every chain on the cron trigger, one step per chain", async () => {
    const chains = [testChain({ name: "cron-a" }), testChain({ name: "cron-b" })];
    const { result, ctx } = await engine(chains).execute({
      events: [{ name: "inngest/scheduled.timer", data: { cron: "* * * * *" } }],
    });

    expect(ctx.step.run).toHaveBeenCalledWith("record-head-cron-a", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("record-head-cron-b", expect.any(Function));
    expect(result).toEqual([
      { chain: "cron-a", headBlock: expect.stringMatching(/^\d+$/) },
      { chain: "cron-b", headBlock: expect.stringMatching(/^\d+$/) },
    ]);
    const cursors = await database.db.chainCursor.findMany({
      where: { chain: { in: ["cron-a", "cron-b"] } },
    });
    expect(cursors.map((cursor) => cursor.chain).sort()).toEqual(["cron-a", "cron-b"]);
  });

  it("fails the step and records the error when the chain's RPC is unreachable", async () => {
    const broken = testChain({ name: "broken", rpcUrls: ["http://127.0.0.1:1"] });
    const { error } = await engine([broken]).execute({
      events: [chainHeartbeatRequested.create({ chain: "broken" })],
    });

    expect(error).toMatchObject({ name: "ChainRpcError" });
    const cursor = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "broken" } });
    expect(cursor.lastError).toMatch(/HTTP request failed/);
  });

  it("rejects an unknown chain without retrying", async () => {
    const { error } = await engine([testChain()]).execute({
      events: [chainHeartbeatRequested.create({ chain: "nope" })],
    });
    expect(error).toMatchObject({ name: "NonRetriableError", message: "unknown chain nope" });
  });
});
