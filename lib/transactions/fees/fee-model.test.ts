// Fee model detection against real Anvil nodes made to look like each kind of chain: a plain node
// (EIP-1559), a berlin node (legacy), one with ArbSys (Arbitrum), one with the GasPriceOracle
// predeploy (OP-stack). Requests counted through the RPC proxy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChainClient } from "../../chains/public-client";
import { type RunningAnvil, startAnvil } from "../../runtime/anvil";
import { freePort } from "../../runtime/free-port";
import { placeArbSys, placeGasPriceOracle } from "../../testing/fee-model-devnet";
import { type RpcProxy, startRpcProxy } from "../../testing/rpc-proxy";
import { testChain } from "../../testing/test-chain";
import { detectFeeModel, feeModelOf } from "./fee-model";
import { quoteFees } from "./quote-fees";

let plain: RunningAnvil;
let berlin: RunningAnvil;
let arbitrum: RunningAnvil;
let opStack: RunningAnvil;
let proxy: RpcProxy;
beforeAll(async () => {
  [plain, berlin, arbitrum, opStack] = await Promise.all([
    startAnvil({ port: await freePort() }),
    startAnvil({ port: await freePort(), hardfork: "berlin" }),
    startAnvil({ port: await freePort() }),
    startAnvil({ port: await freePort() }),
  ]);
  await placeArbSys(arbitrum.rpcUrl);
  await placeGasPriceOracle(opStack.rpcUrl, { l1FeePerByte: 1_000n });
  proxy = await startRpcProxy(plain.rpcUrl);
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([plain, berlin, arbitrum, opStack].map((node) => node?.stop()));
});

const clientOf = (rpcUrl: string) => createChainClient(testChain({ rpcUrls: [rpcUrl] }));

describe("detectFeeModel", () => {
  it("tells the four models apart from the node", async () => {
    const detect = (rpcUrl: string) => detectFeeModel(clientOf(rpcUrl), { chainId: 31337 });
    expect(await detect(plain.rpcUrl)).toBe("eip1559");
    expect(await detect(berlin.rpcUrl)).toBe("legacy");
    expect(await detect(arbitrum.rpcUrl)).toBe("arbitrum");
    expect(await detect(opStack.rpcUrl)).toBe("op-stack");
  });

  it("knows the public L2s by chain id without a request", async () => {
    const client = clientOf(proxy.url);
    const before = proxy.calls.length;
    expect(await detectFeeModel(client, { chainId: 8453 })).toBe("op-stack");
    expect(await detectFeeModel(client, { chainId: 10 })).toBe("op-stack");
    expect(await detectFeeModel(client, { chainId: 42161 })).toBe("arbitrum");
    expect(proxy.calls.length).toBe(before);
  });

  it("does not take a node that is down for a chain without ArbSys", async () => {
    const client = clientOf(proxy.url);
    proxy.fault = (call) => (call.method === "eth_call" ? { httpStatus: 503 } : null);
    try {
      await expect(detectFeeModel(client, { chainId: 31337 })).rejects.toThrow();
    } finally {
      proxy.fault = () => null;
    }
  });
});

describe("feeModelOf", () => {
  it("asks once per client and caches; a configured model is used without asking", async () => {
    const chain = testChain({ rpcUrls: [proxy.url] });
    const client = createChainClient(chain);
    const codeCalls = () => proxy.calls.filter((call) => call.method === "eth_getCode").length;
    const before = codeCalls();
    expect(await feeModelOf(client, chain)).toBe("eip1559");
    expect(await feeModelOf(client, chain)).toBe("eip1559");
    expect(codeCalls() - before).toBe(1);
    expect(await feeModelOf(createChainClient(chain), { ...chain, feeModel: "legacy" })).toBe("legacy");
    expect(codeCalls() - before).toBe(1);
  });

  it("quotes EIP-1559 fees on the L2 models", async () => {
    for (const node of [arbitrum, opStack]) {
      const chain = testChain({ rpcUrls: [node.rpcUrl] });
      const quote = await quoteFees(createChainClient(chain), { chain, maxAgeMs: 0 });
      expect(quote.type).toBe("eip1559");
      expect(quote.model).toBe(node === arbitrum ? "arbitrum" : "op-stack");
    }
  });
});
