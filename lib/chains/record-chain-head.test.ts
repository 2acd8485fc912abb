import { createTestClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { chainClient, createChainClient } from "./public-client";
import { ChainRpcError, recordChainHead } from "./record-chain-head";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("recordChainHead", () => {
  it("stores the head block and follows it as blocks are mined", async () => {
    const chain = testChain();
    const client = createChainClient(chain);
    const anvil = createTestClient({ mode: "anvil", transport: http(inject("anvilRpcUrl")) });

    const first = await recordChainHead(database.db, client, chain, new Date("2030-01-01T00:00:00Z"));
    expect(first.chain).toBe("local");
    const stored = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    expect(stored).toMatchObject({
      chainId: 31337,
      headBlock: first.headBlock,
      headUpdatedAt: new Date("2030-01-01T00:00:00Z"),
      lastError: null,
      lastScannedBlock: null,
    });

    await anvil.mine({ blocks: 5 });
    const second = await recordChainHead(database.db, client, chain);
    // Other test files share this Anvil and may mine too: at least our five blocks.
    expect(second.headBlock).toBeGreaterThanOrEqual(first.headBlock + 5n);
    const advanced = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    expect(advanced.headBlock).toBe(second.headBlock);
  });

  it("records the RPC failure on the cursor and throws, then clears it on the next success", async () => {
    const broken = testChain({ name: "unreachable", rpcUrls: ["http://127.0.0.1:1"] });
    const failedAt = new Date("2030-01-02T00:00:00Z");

    const failure = await recordChainHead(database.db, createChainClient(broken), broken, failedAt).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ChainRpcError);
    expect((failure as ChainRpcError).chain).toBe("unreachable");
    expect((failure as ChainRpcError).cause).toBeInstanceOf(Error);

    const cursor = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "unreachable" } });
    expect(cursor).toMatchObject({
      chainId: 31337,
      headBlock: null,
      headUpdatedAt: null,
      lastErrorAt: failedAt,
    });
    expect(cursor.lastError).toMatch(/HTTP request failed/);
    expect(cursor.lastError).not.toContain("127.0.0.1");
    expect(cursor.lastError?.length).toBeLessThanOrEqual(500);

    // The same chain name with a working RPC URL behind it again (the fallback reaches the second URL).
    const repaired = testChain({
      name: "unreachable",
      rpcUrls: ["http://127.0.0.1:1", inject("anvilRpcUrl")],
    });
    const head = await recordChainHead(database.db, chainClient(repaired), repaired);
    const recovered = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "unreachable" } });
    expect(recovered).toMatchObject({ headBlock: head.headBlock, lastError: null, lastErrorAt: null });
  });
});
