// RPC errors from real viem clients: a node refusing a raw transaction it already has (the shared
// Anvil node), and an unreachable RPC URL holding a provider key — which neither the stored message
// nor the logs may repeat.
import { createPublicClient, createTestClient, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, inject, it } from "vitest";
import { createLogger } from "../logger";
import { isAlreadyBroadcast, shortMessage } from "./rpc-error";

describe("isAlreadyBroadcast", () => {
  it("is true for a transaction the node has mined or holds, false for one it refuses", async () => {
    const transport = http(inject("anvilRpcUrl"));
    const client = createPublicClient({ transport });
    const testClient = createTestClient({ mode: "anvil", transport });
    const account = privateKeyToAccount(generatePrivateKey());
    await testClient.setBalance({ address: account.address, value: parseEther("1") });
    const chainId = await client.getChainId();
    const fees = await client.estimateFeesPerGas();
    const sign = (nonce: number, value: bigint) =>
      account.signTransaction({ chainId, to: account.address, value, gas: 21_000n, nonce, ...fees });

    const raw = await sign(0, 1n);
    await client.waitForTransactionReceipt({
      hash: await client.sendRawTransaction({ serializedTransaction: raw }),
    });
    const again = await client.sendRawTransaction({ serializedTransaction: raw }).catch((error) => error);
    expect(again).toBeInstanceOf(Error);
    expect(shortMessage(again)).toMatch(/nonce too low/i);
    expect(isAlreadyBroadcast(again)).toBe(true);

    const unaffordable = await client
      .sendRawTransaction({ serializedTransaction: await sign(1, parseEther("2")) })
      .catch((error) => error);
    expect(unaffordable).toBeInstanceOf(Error);
    expect(isAlreadyBroadcast(unaffordable)).toBe(false);
  });
});

describe("an RPC URL holding a provider key", () => {
  it("is neither in the short message nor in a logged error", async () => {
    const url = "http://127.0.0.1:1/v2/PROVIDER-KEY-1234?apikey=QUERY-KEY-5678";
    const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
    const error = await client.getBlockNumber().catch((caught) => caught);
    expect(String(error.message)).toContain("PROVIDER-KEY-1234");

    expect(shortMessage(error)).toMatch(/^HTTP request failed\./);
    const lines: string[] = [];
    createLogger({}, { level: "debug", write: (line) => lines.push(line) }).error("rpc failed", { error });
    const [line = ""] = lines;
    expect(JSON.parse(line)).toMatchObject({
      message: "rpc failed",
      error: { name: "HttpRequestError", message: expect.stringMatching(/^HTTP request failed\./) },
    });
    expect(JSON.parse(line).error.stack).toMatch(/^\s+at /);
    for (const secret of ["PROVIDER-KEY-1234", "QUERY-KEY-5678", "127.0.0.1:1"])
      expect(line).not.toContain(secret);
  });
});
