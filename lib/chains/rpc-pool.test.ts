// RPC URLs are verified and ranked, not trusted (issue 17): a chain with two or three URLs where the
// first one answers another chain id (and fabricates a transfer), lags 10 blocks, hangs, or sits on
// another fork. Real Anvil behind a local JSON-RPC proxy that plays the bad node; real scanner and
// database: no false credit, no missed payment, the breaker opens and closes, health shows it.
import { encodeEventTopics, type Hex, pad, parseUnits, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { getHealth } from "../health/get-health";
import { renderMetrics } from "../metrics/render-metrics";
import { transferEvent } from "../scanner/get-transfer-logs";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type RpcProxy, startRpcProxy } from "../testing/rpc-proxy";
import { type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { chainClient, createChainClient, rpcStatusesOf } from "./public-client";

let database: TestDatabase;
let fx: ScannerFixture;
const proxies: RpcProxy[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
});
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await fx?.stop();
  await database?.drop();
});

async function proxy(): Promise<RpcProxy> {
  const started = await startRpcProxy(fx.anvil.rpcUrl);
  proxies.push(started);
  return started;
}

const usdc = (amount: string) => parseUnits(amount, 6);

describe("RPC URLs of a chain", () => {
  it("refuses a node on another chain: its fabricated transfer never credits; the honest node finds the real one", async () => {
    const liar = await proxy();
    const payment = await fx.createPayment({ token: "USDC", amount: "5" });
    const head = await fx.publicClient.getBlockNumber();
    // The liar claims chain id 1 and, if it were ever asked for logs, a 5 USDC transfer to the payment.
    liar.answer = (call) => {
      if (call.method === "eth_chainId") return "0x1";
      if (call.method === "eth_getLogs")
        return [
          {
            address: MOCK_USDC_ADDRESS.toLowerCase(),
            topics: encodeEventTopics({
              abi: [transferEvent],
              eventName: "Transfer",
              args: { from: fx.payer, to: payment.address as Hex },
            }),
            data: pad(toHex(usdc("5"))),
            blockNumber: toHex(head),
            blockHash: pad("0xbad", { size: 32 }),
            transactionHash: pad("0xfab", { size: 32 }),
            transactionIndex: "0x0",
            logIndex: "0x0",
            removed: false,
          },
        ];
      return undefined;
    };
    const chain = { ...fx.chain, rpcUrls: [liar.url, fx.anvil.rpcUrl] };
    const client = chainClient(chain);

    await fx.mine(3);
    await fx.scan({}, { chain, client });
    expect(await fx.payment(payment.id)).toMatchObject({ status: "pending", transfers: [] });
    expect(liar.calls.map((call) => call.method)).toEqual(["eth_chainId"]);
    const [refused, honest] = rpcStatusesOf(client);
    expect(refused).toMatchObject({ state: "open", demoted: "wrong_chain", chain_id_verified: false });
    expect(refused?.last_error).toContain("answers chain id 1, chains.yaml says 31337");
    expect(honest).toMatchObject({ state: "closed", demoted: null, chain_id_verified: true });

    await fx.sendToken(payment.address, usdc("5"));
    await fx.mine(2);
    await fx.scan({}, { chain, client });
    const paid = await fx.payment(payment.id);
    expect(paid.status).toBe("confirmed");
    expect(paid.transfers).toHaveLength(1);
    expect(paid.transfers[0]?.txHash).not.toBe(pad("0xfab", { size: 32 }));

    // Health shows each URL's state (host only: a provider key in a path never leaves the process).
    const health = await getHealth({ db: database.db, chains: [chain] });
    expect(health.chains[0]?.rpc).toEqual([
      expect.objectContaining({ index: 0, state: "open", demoted: "wrong_chain" }),
      expect.objectContaining({ index: 1, state: "closed", demoted: null }),
    ]);
    expect(health.status).toBe("degraded");
    const metrics = await renderMetrics({ db: database.db, chains: [chain] });
    expect(metrics).toContain('ctrip_rpc_breaker_state{chain="local",url_index="0"} 2\n');
    expect(metrics).toContain('ctrip_rpc_demoted{chain="local",url_index="0",reason="wrong_chain"} 1\n');
    expect(metrics).toContain('ctrip_rpc_breaker_state{chain="local",url_index="1"} 0\n');
  });

  it("demotes a node 10 blocks behind: the head comes from the healthy node, no payment is missed", async () => {
    const laggard = await proxy();
    laggard.answer = async (call, forward) => {
      if (call.method !== "eth_blockNumber") return undefined;
      return toHex(BigInt((await forward(call)) as Hex) - 10n);
    };
    const chain = { ...fx.chain, rpcUrls: [laggard.url, fx.anvil.rpcUrl] };
    const client = createChainClient(chain);
    await fx.mine(12);
    const payment = await fx.createPayment({ amount: "0.25" });
    await fx.sendEth(payment.address, parseUnits("0.25", 18));
    await fx.mine(2);
    const realHead = await fx.publicClient.getBlockNumber();

    // The healthy node's head (never the laggard's, 10 behind; the node may have moved on since).
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBeGreaterThanOrEqual(realHead);
    const laggardStatus = rpcStatusesOf(client)[0];
    expect(laggardStatus).toMatchObject({ demoted: "lagging" });
    // 10 behind whatever the node's head was when it was asked (it may have moved on since realHead).
    const laggardHead = BigInt(laggardStatus?.head_block ?? "-1");
    expect(laggardHead >= realHead - 10n && laggardHead < realHead).toBe(true);
    await fx.scan({}, { chain, client });
    expect((await fx.payment(payment.id)).status).toBe("confirmed");

    // Caught up: promoted again at the next head poll.
    laggard.answer = () => undefined;
    await client.getBlockNumber({ cacheTime: 0 });
    expect(rpcStatusesOf(client)[0]).toMatchObject({ demoted: null, state: "closed" });
  });

  it("opens the breaker on a hanging node, skips it during the cool-down, probes and closes it when it answers", async () => {
    const hanging = await proxy();
    const chain = { ...fx.chain, rpcUrls: [hanging.url, fx.anvil.rpcUrl] };
    const client = createChainClient(chain, {
      timeoutMs: 400,
      policy: { failureThreshold: 2, baseCooldownMs: 1_500, maxCooldownMs: 10_000 },
    });
    await client.getChainId();
    hanging.latencyMs = 30_000;
    const timed = async () => {
      const started = Date.now();
      await client.getBalance({ address: fx.payer });
      return Date.now() - started;
    };
    // Two timeouts (each answered by the second URL after 400 ms), then the breaker is open.
    expect(await timed()).toBeGreaterThanOrEqual(350);
    expect(await timed()).toBeGreaterThanOrEqual(350);
    expect(rpcStatusesOf(client)[0]).toMatchObject({ state: "open", consecutive_failures: 2 });
    expect(rpcStatusesOf(client)[0]?.last_error).toMatch(/took too long|timed out/i);
    const requestsWhileOpen = hanging.httpRequests;
    for (let i = 0; i < 5; i++) expect(await timed()).toBeLessThan(300);
    expect(hanging.httpRequests).toBe(requestsWhileOpen);

    // A failed probe after the cool-down doubles it.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    await timed();
    expect(rpcStatusesOf(client)[0]).toMatchObject({ state: "open" });
    const retryAt = Date.parse(rpcStatusesOf(client)[0]?.retry_at ?? "");
    expect(retryAt - Date.now()).toBeGreaterThan(2_000);

    // The node answers again: the next probe closes the breaker and reads go back to it.
    hanging.latencyMs = 0;
    await new Promise((resolve) => setTimeout(resolve, retryAt - Date.now() + 100));
    await timed();
    expect(rpcStatusesOf(client)[0]).toMatchObject({
      state: "closed",
      consecutive_failures: 0,
      chain_id_verified: true,
    });
    const before = hanging.httpRequests;
    await timed();
    expect(hanging.httpRequests).toBe(before + 1);
  }, 30_000);

  it("demotes a node whose block hash disagrees with the majority at the same height", async () => {
    const forked = await proxy();
    const honest = await proxy();
    const fake = pad("0xf02c", { size: 32 });
    forked.answer = async (call, forward) => {
      if (call.method !== "eth_getBlockByNumber") return undefined;
      const block = (await forward(call)) as Record<string, unknown> | null;
      return block ? { ...block, hash: fake } : block;
    };
    const chain = { ...fx.chain, rpcUrls: [forked.url, fx.anvil.rpcUrl, honest.url] };
    const client = createChainClient(chain);
    await fx.mine(5);
    const head = await client.getBlockNumber({ cacheTime: 0 });
    expect(head).toBe(await fx.publicClient.getBlockNumber());
    const [first, second, third] = rpcStatusesOf(client);
    expect(first).toMatchObject({ demoted: "fork" });
    expect(first?.last_error).toContain(fake);
    expect(second).toMatchObject({ demoted: null });
    expect(third).toMatchObject({ demoted: null });
    // Reads now go to the second URL first.
    const before = forked.calls.length;
    await client.getBalance({ address: fx.payer });
    expect(forked.calls.length).toBe(before);
  });
});
