// Fee quotes against real Anvil nodes (one per test file, so base fees are ours alone): EIP-1559 with
// the node's tip capped by the policy and max fee = 2 × base fee + tip, legacy on a berlin node, the
// fee-history fallback and the per-client cache (counted through the RPC proxy).
import { type Address, createWalletClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainClient, createChainClient } from "../../chains/public-client";
import { anvilDefaultAccounts } from "../../devnet/setup-devnet";
import { type RunningAnvil, startAnvil } from "../../runtime/anvil";
import { freePort } from "../../runtime/free-port";
import { type RpcProxy, startRpcProxy } from "../../testing/rpc-proxy";
import { testChain } from "../../testing/test-chain";
import { quoteFees } from "./quote-fees";
import { feeFieldsOf } from "./transaction-cost";

const GWEI = 1_000_000_000n;
let anvil: RunningAnvil;
let berlin: RunningAnvil;
let proxy: RpcProxy;
beforeAll(async () => {
  [anvil, berlin] = await Promise.all([
    startAnvil({ port: await freePort() }),
    startAnvil({ port: await freePort(), hardfork: "berlin" }),
  ]);
  proxy = await startRpcProxy(anvil.rpcUrl);
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([anvil?.stop(), berlin?.stop()]);
});

const [sender] = anvilDefaultAccounts(1) as [Address];
const recipient: Address = "0x000000000000000000000000000000000000bEEF";

async function nodeTip(client: ChainClient) {
  return BigInt(await client.request({ method: "eth_maxPriorityFeePerGas" }));
}

describe("quoteFees on an EIP-1559 chain", () => {
  it("takes the node's tip and 2 × base fee + tip: the tip stays below the max fee and is what is paid", async () => {
    const chain = testChain({ rpcUrls: [anvil.rpcUrl] });
    const client = createChainClient(chain);
    const quote = await quoteFees(client, { chain, maxAgeMs: 0 });
    if (quote.type !== "eip1559") throw new Error(`expected eip1559, got ${quote.type}`);
    const block = await client.getBlock({ blockTag: "latest" });
    expect(quote.model).toBe("eip1559");
    expect(quote.baseFeePerGas).toBe(block.baseFeePerGas);
    expect(quote.suggestedPriorityFeePerGas).toBe(await nodeTip(client));
    expect(quote.maxPriorityFeePerGas).toBe(quote.suggestedPriorityFeePerGas);
    expect(quote.maxFeePerGas).toBe(2n * quote.baseFeePerGas + quote.maxPriorityFeePerGas);
    expect(quote.maxPriorityFeePerGas).toBeLessThan(quote.maxFeePerGas);
    expect(quote.aboveCeiling).toBe(false);

    // A real transfer at these fees pays base fee + the quoted tip, not the max fee.
    const wallet = createWalletClient({
      account: sender,
      chain: client.chain,
      transport: http(anvil.rpcUrl),
    });
    const hash = await wallet.sendTransaction({ to: recipient, value: 1n, ...feeFieldsOf(quote) });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    const mined = await client.getBlock({ blockNumber: receipt.blockNumber });
    expect(receipt.effectiveGasPrice - (mined.baseFeePerGas ?? 0n)).toBe(quote.maxPriorityFeePerGas);
  });

  it("caps the tip by the policy, and clamps to the ceiling saying the chain needs more", async () => {
    const chain = testChain({
      rpcUrls: [anvil.rpcUrl],
      transactions: { maxPriorityFeePerGasGwei: "0.25", maxFeePerGasGwei: "0.5" },
    });
    const client = createChainClient(chain);
    // A base fee above the ceiling: 2 × 1 gwei + tip > 0.5 gwei.
    await client.request({
      method: "anvil_setNextBlockBaseFeePerGas" as never,
      params: ["0x3b9aca00"] as never,
    });
    await client.request({ method: "anvil_mine" as never, params: ["0x1"] as never });
    const quote = await quoteFees(client, { chain, maxAgeMs: 0 });
    if (quote.type !== "eip1559") throw new Error(`expected eip1559, got ${quote.type}`);
    expect(quote.suggestedPriorityFeePerGas).toBe(GWEI);
    expect(quote.maxPriorityFeePerGas).toBe(GWEI / 4n);
    expect(quote.requiredMaxFeePerGas).toBe(2n * quote.baseFeePerGas + GWEI / 4n);
    expect(quote.aboveCeiling).toBe(true);
    expect(quote.maxFeePerGas).toBe(GWEI / 2n);

    const roomy = testChain({ rpcUrls: [anvil.rpcUrl], transactions: { maxFeePerGasGwei: "1000" } });
    const unclamped = await quoteFees(client, { chain: roomy, maxAgeMs: 0 });
    expect(unclamped).toMatchObject({ aboveCeiling: false, maxPriorityFeePerGas: GWEI });
  });

  it("asks the node once per half block per client; maxAgeMs 0 asks again", async () => {
    // Half a block is 4 s here: the second quote is within it however long a loaded machine takes.
    const chain = testChain({ rpcUrls: [proxy.url], blockTime: 8, feeModel: "eip1559" });
    const client = createChainClient(chain);
    const tipCalls = () => proxy.calls.filter((call) => call.method === "eth_maxPriorityFeePerGas").length;
    const before = tipCalls();
    const first = await quoteFees(client, { chain });
    const second = await quoteFees(client, { chain });
    expect(second).toEqual(first);
    expect(tipCalls() - before).toBe(1);
    await quoteFees(client, { chain, maxAgeMs: 0 });
    expect(tipCalls() - before).toBe(2);
  });

  it("falls back to the fee history's median tip on a node without eth_maxPriorityFeePerGas", async () => {
    const chain = testChain({ rpcUrls: [proxy.url], feeModel: "eip1559" });
    const client = createChainClient(chain);
    // Recent blocks whose transactions tip 3 gwei.
    const wallet = createWalletClient({
      account: sender,
      chain: client.chain,
      transport: http(anvil.rpcUrl),
    });
    for (let i = 0; i < 3; i++) {
      const hash = await wallet.sendTransaction({
        to: recipient,
        value: 1n,
        maxFeePerGas: 50n * GWEI,
        maxPriorityFeePerGas: 3n * GWEI,
      });
      await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    }
    // Then empty blocks, which must not drag the median to 0.
    await client.request({ method: "anvil_mine" as never, params: ["0x4"] as never });
    proxy.fault = (call) =>
      call.method === "eth_maxPriorityFeePerGas"
        ? { rpcError: { code: -32601, message: "the method eth_maxPriorityFeePerGas does not exist" } }
        : null;
    try {
      const quote = await quoteFees(client, { chain, maxAgeMs: 0 });
      expect(quote).toMatchObject({ type: "eip1559", suggestedPriorityFeePerGas: 3n * GWEI });
      expect(proxy.calls.some((call) => call.method === "eth_feeHistory")).toBe(true);
    } finally {
      proxy.fault = () => null;
    }
  });
});

describe("quoteFees on a chain without EIP-1559", () => {
  it("detects legacy and quotes eth_gasPrice, clamped to the ceiling; a legacy transfer pays it", async () => {
    const chain = testChain({ rpcUrls: [berlin.rpcUrl] });
    const client = createChainClient(chain);
    const gasPrice = await client.getGasPrice();
    const quote = await quoteFees(client, { chain, maxAgeMs: 0 });
    expect(quote).toMatchObject({ type: "legacy", model: "legacy", gasPrice, suggestedGasPrice: gasPrice });
    expect(quote.aboveCeiling).toBe(false);

    const wallet = createWalletClient({
      account: sender,
      chain: client.chain,
      transport: http(berlin.rpcUrl),
    });
    const hash = await wallet.sendTransaction({ to: recipient, value: 1n, ...feeFieldsOf(quote) });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt.type).toBe("legacy");
    expect(receipt.effectiveGasPrice).toBe(gasPrice);

    const capped = testChain({ rpcUrls: [berlin.rpcUrl], transactions: { maxFeePerGasGwei: "0.000000001" } });
    expect(await quoteFees(client, { chain: capped, maxAgeMs: 0 })).toMatchObject({
      gasPrice: 1n,
      suggestedGasPrice: gasPrice,
      aboveCeiling: true,
    });
  });

  it("refuses an EIP-1559 quote where the configured model does not match the node", async () => {
    const chain = testChain({ rpcUrls: [berlin.rpcUrl], feeModel: "eip1559" });
    await expect(quoteFees(createChainClient(chain), { chain, maxAgeMs: 0 })).rejects.toThrow(/no base fee/);
  });
});
