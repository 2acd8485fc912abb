// The fee quote against the real Anvil node, counting the JSON-RPC requests it makes.
import { createPublicClient, http } from "viem";
import { describe, expect, inject, it } from "vitest";
import { toViemChain } from "../chains/public-client";
import { testChain } from "../testing/test-chain";
import { feeCacheMsOf, feeFields, quoteGasPrice } from "./gas-price";

function countingClient() {
  const counter = { requests: 0 };
  const client = createPublicClient({
    chain: toViemChain(testChain()),
    transport: http(inject("anvilRpcUrl"), {
      onFetchRequest: () => {
        counter.requests += 1;
      },
    }),
  });
  return { client, counter };
}

describe("quoteGasPrice", () => {
  it("quotes EIP-1559 fees with priority = max fee, so the effective price is the quote", async () => {
    const { client } = countingClient();
    const quote = await quoteGasPrice(client);
    expect(quote.type).toBe("eip1559");
    const block = await client.getBlock();
    expect(quote.gasPrice).toBeGreaterThan(block.baseFeePerGas ?? 0n);
    expect(feeFields(quote)).toEqual({
      type: "eip1559",
      maxFeePerGas: quote.gasPrice,
      maxPriorityFeePerGas: quote.gasPrice,
    });
  });

  it("reuses a quote younger than maxAgeMs without asking the node, and refreshes an older one", async () => {
    const { client, counter } = countingClient();
    const first = await quoteGasPrice(client, { maxAgeMs: 10_000 });
    const afterFirst = counter.requests;
    expect(afterFirst).toBeGreaterThan(0);
    expect(await quoteGasPrice(client, { maxAgeMs: 10_000 })).toBe(first);
    expect(counter.requests).toBe(afterFirst);
    // maxAgeMs 0 (the default, used for replacements): always fresh.
    await quoteGasPrice(client);
    expect(counter.requests).toBeGreaterThan(afterFirst);
    expect(feeCacheMsOf({ blockTime: 1 })).toBe(500);
    expect(feeCacheMsOf({ blockTime: 12 })).toBe(5_000);
  });
});
