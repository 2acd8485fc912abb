// Gas limits against a real Anvil node, counted through the RPC proxy: 21,000 without asking only for a
// plain transfer to an account without code on eip1559/legacy/op-stack; eth_estimateGas for
// everything on Arbitrum and for every call into code.
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChainClient } from "../../chains/public-client";
import { anvilDefaultAccounts } from "../../devnet/setup-devnet";
import { type RunningAnvil, startAnvil } from "../../runtime/anvil";
import { freePort } from "../../runtime/free-port";
import { type RpcProxy, startRpcProxy } from "../../testing/rpc-proxy";
import { testChain } from "../../testing/test-chain";
import type { FeeModel } from "./fee-model";
import { estimateGasLimit } from "./gas-limit";

let anvil: RunningAnvil;
let proxy: RpcProxy;
const [account] = anvilDefaultAccounts(1) as [Address];
const eoa: Address = "0x000000000000000000000000000000000000bEEF";
const contract: Address = "0x000000000000000000000000000000000000c0DE";
beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() });
  proxy = await startRpcProxy(anvil.rpcUrl);
  // A contract whose every call stores a word (so its gas is well above 21,000).
  await fetch(anvil.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "anvil_setCode",
      params: [contract, "0x602a600055"],
    }),
  });
});
afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});

async function gasLimitCounted(feeModel: FeeModel, to: Address, data?: `0x${string}`) {
  const client = createChainClient(testChain({ rpcUrls: [proxy.url] }));
  const before = proxy.calls.length;
  const gas = await estimateGasLimit(client, { feeModel, account, to, value: 1n, data });
  const estimates = proxy.calls.slice(before).filter((call) => call.method === "eth_estimateGas").length;
  return { gas, estimates };
}

describe("estimateGasLimit", () => {
  it.each(["eip1559", "legacy", "op-stack"] as const)(
    "%s: 21,000 for a plain transfer to an EOA",
    async (model) => {
      expect(await gasLimitCounted(model, eoa)).toEqual({ gas: 21_000n, estimates: 0 });
    },
  );

  it("arbitrum: asks eth_estimateGas even for a plain transfer to an EOA", async () => {
    expect(await gasLimitCounted("arbitrum", eoa)).toEqual({ gas: 21_000n, estimates: 1 });
  });

  it.each(["eip1559", "op-stack", "arbitrum"] as const)("%s: estimates calls into code", async (model) => {
    const plain = await gasLimitCounted(model, contract);
    expect(plain.estimates).toBe(1);
    expect(plain.gas).toBeGreaterThan(40_000n);
    // Calldata to an EOA costs more than 21,000 (and is priced by the node's own rules).
    const withData = await gasLimitCounted(model, eoa, "0x1234");
    expect(withData.estimates).toBe(1);
    expect(withData.gas).toBeGreaterThan(21_000n);
  });
});
