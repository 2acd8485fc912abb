import { type Address, createWalletClient, encodeFunctionData, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { ChainRpcError } from "../chains/record-chain-head";
import { MOCK_USDC_ADDRESS, mockUsdcAbi } from "../devnet/mock-usdc";
import { createPayment } from "../payments/create-payment";
import { ZPaymentObject } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type RpcProxy, startRpcProxy } from "../testing/rpc-proxy";
import {
  BASE_URL,
  OTHER_TOKEN_ADDRESS,
  type ScannerFixture,
  startScannerFixture,
} from "../testing/scanner-fixture";

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  // First scan: the cursor starts at the head, so payments record the block to start from.
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

const usdc = (units: bigint) => units * 10n ** 6n;

describe("scanChain: detection and confirmation", () => {
  it("USDC exact: pending → detected → confirmed with the required confirmations, events in order", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "10" });
    const receipt = await fx.sendToken(payment.address, usdc(10n));
    await fx.scan();
    let row = await fx.payment(payment.id);
    expect(row.status).toBe("detected");
    expect(row.amountReceived.toFixed()).toBe(usdc(10n).toString());
    expect(row.confirmations).toBe(1);
    expect(row.transfers).toHaveLength(1);
    expect(row.transfers[0]).toMatchObject({
      txHash: receipt.transactionHash,
      logIndex: expect.any(Number),
      blockNumber: receipt.blockNumber,
      status: "confirming",
    });

    await fx.mine(1);
    await fx.scan();
    row = await fx.payment(payment.id);
    expect(row.status).toBe("confirmed");
    expect(row.exception).toBeNull();
    expect(row.confirmations).toBe(2);
    expect(row.transfers[0]?.status).toBe("confirmed");
    expect(row.statusChanges.map((change) => change.toStatus)).toEqual(["pending", "detected", "confirmed"]);
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
    ]);

    const confirmedEvent = await database.db.event.findFirstOrThrow({
      where: { objectId: payment.id, type: "payment.confirmed" },
    });
    const object = ZPaymentObject.parse(confirmedEvent.data);
    expect(object).toMatchObject({ status: "confirmed", amount_received: "10", confirmations: 2 });
  });

  it("USDC partial in two transfers accumulates, then detects", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "25" });
    await fx.sendToken(payment.address, usdc(10n));
    await fx.scan();
    let row = await fx.payment(payment.id);
    expect(row.status).toBe("pending");
    expect(row.amountReceived.toFixed()).toBe(usdc(10n).toString());
    expect(await fx.eventTypes(payment.id)).toEqual(["payment.created"]);

    await fx.sendToken(payment.address, usdc(15n));
    await fx.scan();
    row = await fx.payment(payment.id);
    expect(row.status).toBe("detected");
    expect(row.amountReceived.toFixed()).toBe(usdc(25n).toString());
    await fx.mine(2);
    await fx.scan();
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
  });

  it("USDC overpaid is confirmed with exception overpaid", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "5" });
    await fx.sendToken(payment.address, usdc(7n));
    await fx.mine(2);
    await fx.scan();
    const row = await fx.payment(payment.id);
    expect(row).toMatchObject({ status: "confirmed", exception: "overpaid" });
    expect(row.amountReceived.toFixed()).toBe(usdc(7n).toString());
    // Scanned at once with its confirmations: detected then confirmed, both on the timeline.
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
    ]);
  });

  it("native exact, partial in two transfers, and over", async () => {
    const exact = await fx.createPayment({ amount: "1" });
    const partial = await fx.createPayment({ amount: "2" });
    const over = await fx.createPayment({ amount: "0.5" });
    await fx.sendEth(exact.address, parseEther("1"));
    await fx.sendEth(partial.address, parseEther("0.75"));
    await fx.sendEth(over.address, parseEther("0.6"));
    await fx.scan();
    // Instant mining: one block per transaction, so the first is already two blocks deep.
    expect((await fx.payment(exact.id)).status).toBe("confirmed");
    expect((await fx.payment(over.id)).status).toBe("detected");
    const partialRow = await fx.payment(partial.id);
    expect(partialRow.status).toBe("pending");
    expect(partialRow.amountReceived.toFixed()).toBe(parseEther("0.75").toString());
    expect(partialRow.transfers[0]?.logIndex).toBe(-1);

    await fx.sendEth(partial.address, parseEther("1.25"));
    await fx.mine(2);
    await fx.scan();
    expect(await fx.payment(exact.id)).toMatchObject({ status: "confirmed", exception: null });
    const paid = await fx.payment(partial.id);
    expect(paid).toMatchObject({ status: "confirmed", exception: null });
    expect(paid.amountReceived.toFixed()).toBe(parseEther("2").toString());
    expect(await fx.payment(over.id)).toMatchObject({ status: "confirmed", exception: "overpaid" });
  });

  it("a failed (reverted) native transaction credits nothing", async () => {
    const payment = await fx.createPayment({ amount: "1" });
    // Code that always reverts at the deposit address makes a plain value transfer fail on chain.
    await fx.testClient.setCode({ address: payment.address as `0x${string}`, bytecode: "0x60006000fd" });
    const receipt = await fx.sendEth(payment.address, parseEther("1"), { gas: 100_000n });
    expect(receipt.status).toBe("reverted");
    await fx.testClient.setCode({ address: payment.address as `0x${string}`, bytecode: "0x" });
    await fx.mine(2);
    await fx.scan();
    const row = await fx.payment(payment.id);
    expect(row.status).toBe("pending");
    expect(row.amountReceived.toFixed()).toBe("0");
    expect(row.transfers).toHaveLength(0);
  });

  it("another token to the deposit address, or USDC to an unknown address, credits nothing", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "3" });
    const nativePayment = await fx.createPayment({ amount: "1" });
    await fx.sendToken(payment.address, usdc(3n), OTHER_TOKEN_ADDRESS);
    // USDC to a native payment's address: recorded (it is on our address) but credits nothing.
    await fx.sendToken(nativePayment.address, usdc(3n));
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    await fx.sendToken(stranger, usdc(3n));
    await fx.mine(2);
    await fx.scan();
    expect(await fx.payment(payment.id)).toMatchObject({ status: "pending", transfers: [] });
    const nativeRow = await fx.payment(nativePayment.id);
    expect(nativeRow.status).toBe("pending");
    expect(nativeRow.amountReceived.toFixed()).toBe("0");
    expect(await database.db.transfer.count({ where: { toAddress: stranger } })).toBe(0);
    const unattributed = await database.db.transfer.findMany({ where: { toAddress: nativePayment.address } });
    expect(unattributed).toHaveLength(1);
    expect(unattributed[0]?.paymentId).toBeNull();
  });
});

describe("scanChain: chains are separate", () => {
  it("a transfer seen by another chain's watcher never credits this chain's payment", async () => {
    // Another configured chain whose RPC happens to show the same transfer (same addresses exist
    // on every EVM chain): it must not credit a payment made on "local". (Same chain id: a node
    // answering another chain id than configured is refused outright — lib/chains/rpc-pool.test.ts.)
    const other = { ...fx.chain, name: "other" };
    await fx.scan({}, { chain: other });
    const payment = await fx.createPayment({ token: "USDC", amount: "2" });
    const native = await fx.createPayment({ amount: "0.2" });
    await fx.sendToken(payment.address, usdc(2n));
    await fx.sendEth(native.address, parseEther("0.2"));
    await fx.mine(2);
    // Unfiltered getLogs: the USDC transfer is read, and matching is what keeps it out.
    const seen = await fx.scan({ maxFilteredAddresses: 0 }, { chain: other });
    expect(seen.rangesScanned).toBeGreaterThan(0);
    expect(await fx.payment(payment.id)).toMatchObject({ status: "pending", transfers: [] });
    expect(await fx.payment(native.id)).toMatchObject({ status: "pending", transfers: [] });
    expect(await database.db.transfer.count({ where: { chain: "other" } })).toBe(0);

    await fx.scan();
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
    expect((await fx.payment(native.id)).status).toBe("confirmed");
  });
});

describe("scanChain: restarts and failures", () => {
  it("finds a payment created and paid before the chain's first scan (no start block recorded)", async () => {
    // A chain no heartbeat or scan has seen: the payment gets no start_block.
    const fresh = { ...fx.chain, name: "fresh" };
    const payment = await createPayment(
      { actor: OPERATOR, db: database.db, chains: [fresh], baseUrl: BASE_URL, now: await fx.chainNow() },
      fx.merchant.merchantId,
      { chain: "fresh", token: "USDC", amount: "3" },
    );
    expect(
      (await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).startBlock,
    ).toBeNull();
    await fx.sendToken(payment.address, usdc(3n));
    await fx.mine(2);
    await fx.scan({}, { chain: fresh });
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
  });

  it("a scanner stopped mid-range, rescans and two concurrent scanners leave no gap and no double credit", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "100" });
    const nativePayment = await fx.createPayment({ amount: "10" });
    for (let i = 0; i < 6; i++) {
      await fx.sendToken(payment.address, usdc(10n));
      await fx.sendEth(nativePayment.address, parseEther("1"));
    }
    const small = { ...fx.chain, maxBlockRange: 3 };
    // "Crash" after two small ranges.
    await fx.scan({ maxRanges: 2 }, { chain: small });
    const midway = await fx.payment(payment.id);
    expect(midway.transfers.length).toBeLessThan(6);

    // Two scanners at once (e.g. two instances) finish the job.
    await Promise.all([fx.scan({}, { chain: small }), fx.scan({}, { chain: small })]);
    // And a rescan from an older cursor (a crashed run replayed) credits nothing twice.
    const cursor = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    await database.db.chainCursor.update({
      where: { chain: "local" },
      data: { lastScannedBlock: (cursor.lastScannedBlock ?? 0n) - 15n },
    });
    await fx.scan();

    const row = await fx.payment(payment.id);
    expect(row.transfers).toHaveLength(6);
    expect(row.amountReceived.toFixed()).toBe(usdc(60n).toString());
    const nativeRow = await fx.payment(nativePayment.id);
    expect(nativeRow.transfers).toHaveLength(6);
    expect(nativeRow.amountReceived.toFixed()).toBe(parseEther("6").toString());
  });

  it("RPC endpoint down: the error is recorded, the cursor stays, and nothing is skipped once it is back", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "1" });
    const before = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    await fx.sendToken(payment.address, usdc(1n));
    await fx.mine(3);

    const down = { ...fx.chain, rpcUrls: ["http://127.0.0.1:1"] };
    const failure = await fx.scan({}, { chain: down }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ChainRpcError);
    const failed = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    expect(failed.lastScannedBlock).toBe(before.lastScannedBlock);
    expect(failed.lastError).toMatch(/HTTP request failed/);
    expect((await fx.payment(payment.id)).status).toBe("pending");

    await fx.scan();
    const recovered = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    expect(recovered.lastError).toBeNull();
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
  });
});

describe("scanChain: RPC providers failing", () => {
  const getLogsRanges = (proxy: RpcProxy) =>
    proxy.calls
      .filter((call) => call.method === "eth_getLogs")
      .map((call) => {
        const [filter] = call.params as [{ fromBlock: string; toBlock: string }];
        return BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n;
      });

  it("falls back to the chain's second rpcUrl when the first is down", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "2" });
    await fx.sendToken(payment.address, usdc(2n));
    await fx.mine(2);
    const chain = { ...fx.chain, rpcUrls: ["http://127.0.0.1:1", fx.anvil.rpcUrl] };
    const result = await fx.scan({}, { chain });
    expect(result.transfersRecorded).toBe(1);
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
    const cursor = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
    expect(cursor.lastError).toBeNull();
    expect(cursor.lastScannedBlock).toBe(result.headBlock);
  });

  it("retries a provider's transient errors with backoff, on the same range", async () => {
    const proxy = await startRpcProxy(fx.anvil.rpcUrl);
    try {
      const payment = await fx.createPayment({ token: "USDC", amount: "3" });
      await fx.sendToken(payment.address, usdc(3n));
      await fx.mine(2);
      let failures = 2;
      proxy.fault = (call) => (call.method === "eth_getLogs" && failures-- > 0 ? { httpStatus: 429 } : null);
      await fx.scan({}, { chain: { ...fx.chain, rpcUrls: [proxy.url] } });
      expect((await fx.payment(payment.id)).status).toBe("confirmed");
      // Two refused attempts, then the same range again.
      const ranges = proxy.calls.filter((call) => call.method === "eth_getLogs").map((call) => call.params);
      expect(ranges).toHaveLength(3);
      expect(ranges[1]).toEqual(ranges[0]);
      expect(ranges[2]).toEqual(ranges[0]);
    } finally {
      await proxy.close();
    }
  });

  it("never skips a range that keeps failing: the cursor waits for the provider", async () => {
    const proxy = await startRpcProxy(fx.anvil.rpcUrl);
    try {
      const chain = { ...fx.chain, rpcUrls: [proxy.url] };
      const before = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
      const payment = await fx.createPayment({ token: "USDC", amount: "4" });
      await fx.sendToken(payment.address, usdc(4n));
      await fx.mine(3);
      proxy.fault = (call) => (call.method === "eth_getLogs" ? { httpStatus: 503 } : null);
      for (let attempt = 0; attempt < 3; attempt++) {
        const failure = await fx.scan({}, { chain }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ChainRpcError);
        const cursor = await database.db.chainCursor.findUniqueOrThrow({ where: { chain: "local" } });
        expect(cursor.lastScannedBlock).toBe(before.lastScannedBlock);
        expect(cursor.lastError).toMatch(/503|HTTP request failed/);
      }
      expect((await fx.payment(payment.id)).status).toBe("pending");

      proxy.fault = () => null;
      await fx.scan({}, { chain });
      const row = await fx.payment(payment.id);
      expect(row.status).toBe("confirmed");
      expect(row.transfers).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it("filters getLogs on the open deposit addresses while they are few, reads every transfer above the limit", async () => {
    const proxy = await startRpcProxy(fx.anvil.rpcUrl);
    try {
      const chain = { ...fx.chain, rpcUrls: [proxy.url] };
      const filtered = await fx.createPayment({ token: "USDC", amount: "1" });
      await fx.sendToken(filtered.address, usdc(1n));
      await fx.mine(2);
      await fx.scan({}, { chain });
      const topics = (call: RpcProxy["calls"][number]) =>
        (call.params as [{ topics: (string | string[] | null)[] }])[0].topics;
      const [first] = proxy.calls.filter((call) => call.method === "eth_getLogs");
      if (!first) throw new Error("no eth_getLogs call");
      const recipients = topics(first)[2];
      expect(Array.isArray(recipients) ? recipients : [recipients]).toContain(
        `0x${filtered.address.slice(2).toLowerCase().padStart(64, "0")}`,
      );
      expect((await fx.payment(filtered.id)).status).toBe("confirmed");

      proxy.calls.length = 0;
      const unfiltered = await fx.createPayment({ token: "USDC", amount: "1" });
      await fx.sendToken(unfiltered.address, usdc(1n));
      await fx.sendToken(privateKeyToAccount(generatePrivateKey()).address, usdc(1n));
      await fx.mine(2);
      await fx.scan({ maxFilteredAddresses: 0 }, { chain });
      const [second] = proxy.calls.filter((call) => call.method === "eth_getLogs");
      if (!second) throw new Error("no eth_getLogs call");
      expect(topics(second)[2] ?? null).toBeNull();
      expect((await fx.payment(unfiltered.id)).status).toBe("confirmed");
    } finally {
      await proxy.close();
    }
  });

  it("splits a range the provider refuses as too large, down to what it accepts", async () => {
    const proxy = await startRpcProxy(fx.anvil.rpcUrl);
    try {
      const payment = await fx.createPayment({ token: "USDC", amount: "5" });
      for (let i = 0; i < 5; i++) await fx.sendToken(payment.address, usdc(1n));
      await fx.mine(2);
      // As Alchemy words it; -32602 is not retried, so the split happens at once.
      proxy.fault = (call) => {
        if (call.method !== "eth_getLogs") return null;
        const [filter] = call.params as [{ fromBlock: string; toBlock: string }];
        return BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n > 2n
          ? { rpcError: { code: -32602, message: "Log response size exceeded. Try a 2 block range" } }
          : null;
      };
      await fx.scan({}, { chain: { ...fx.chain, rpcUrls: [proxy.url] } });
      const row = await fx.payment(payment.id);
      expect(row.transfers).toHaveLength(5);
      expect(row.status).toBe("confirmed");
      const ranges = getLogsRanges(proxy);
      expect(ranges.some((size) => size > 2n)).toBe(true);
      // Every block of the refused ranges was read by an accepted call.
      expect(ranges.filter((size) => size <= 2n).reduce((sum, size) => sum + size, 0n)).toBe(ranges[0]);
    } finally {
      await proxy.close();
    }
  });
});

describe("scanChain: reorgs", () => {
  it.each(["USDC", "ETH"])(
    "a %s top-up of a confirmed payment is recorded (overpaid), and a reorg taking it back clears overpaid",
    async (symbol) => {
      const native = symbol === "ETH";
      const payment = await fx.createPayment({ token: native ? undefined : "USDC", amount: "3" });
      const units = native ? parseEther("3") : usdc(3n);
      const send = (amount: bigint) =>
        native ? fx.sendEth(payment.address, amount) : fx.sendToken(payment.address, amount);
      await send(units);
      await fx.mine(1);
      await fx.scan();
      expect((await fx.payment(payment.id)).status).toBe("confirmed");

      // Seen whatever the number of open payments (it used to depend on the address filter).
      await send(units / 3n);
      await fx.scan();
      let row = await fx.payment(payment.id);
      expect(row).toMatchObject({ status: "confirmed", exception: "overpaid" });
      expect(row.amountReceived.toFixed()).toBe((units + units / 3n).toString());

      await fx.testClient.request({ method: "anvil_reorg" as never, params: [1, []] as never });
      await fx.mine(1);
      await fx.scan();
      row = await fx.payment(payment.id);
      expect(row).toMatchObject({ status: "confirmed", exception: null });
      expect(row.amountReceived.toFixed()).toBe(units.toString());
    },
  );

  it.each([1, 2, 3, 4, 5])(
    "a reorg of depth %i before confirmation reverts the transfers and the payments",
    async (depth) => {
      // More confirmations than the reorg depth, so the payments are still detected when it happens.
      const chain = { ...fx.chain, confirmations: 10 };
      const payments: string[] = [];
      // Every transfer within the last `depth` blocks (instant mining: one block per transaction).
      if (depth >= 2) {
        const native = await fx.createPayment({ amount: "1", chain });
        await fx.sendEth(native.address, parseEther("1"));
        payments.push(native.id);
      }
      const token = await fx.createPayment({ token: "USDC", amount: "2", chain });
      await fx.sendToken(token.address, usdc(2n));
      payments.push(token.id);
      if (depth > 2) await fx.mine(depth - 2);
      await fx.scan({}, { chain });
      for (const id of payments) expect((await fx.payment(id)).status).toBe("detected");

      const head = await fx.publicClient.getBlockNumber({ cacheTime: 0 });
      await fx.testClient.request({ method: "anvil_reorg" as never, params: [depth, []] as never });
      expect(await fx.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(head);
      await fx.mine(1);
      await fx.scan({}, { chain });

      for (const id of payments) {
        const row = await fx.payment(id);
        expect(row.status).toBe("pending");
        expect(row.amountReceived.toFixed()).toBe("0");
        expect(row.transfers.map((transfer) => transfer.status)).toEqual(["reverted"]);
        expect(row.statusChanges.map((change) => change.toStatus)).toEqual([
          "pending",
          "detected",
          "pending",
        ]);
        expect(await fx.eventTypes(id)).toEqual(["payment.created", "payment.detected", "payment.reverted"]);
      }
      // The stored blocks are the new canonical ones.
      const stored = await database.db.chainBlock.findFirstOrThrow({
        where: { chain: "local", number: head },
      });
      expect(stored.hash).toBe((await fx.publicClient.getBlock({ blockNumber: head })).hash);
    },
  );
});

describe("scanChain: many payments in one range", () => {
  /** Mines one block with these ETH (`to`) and USDC (`token`: the recipient) transfers. */
  async function inOneBlock(payments: ({ to: string; value: bigint } | { token: string; value: bigint })[]) {
    const wallet = createWalletClient({ account: fx.payer, transport: http(fx.anvil.rpcUrl) });
    await fx.testClient.setAutomine(false);
    try {
      for (const payment of payments)
        await wallet.sendTransaction(
          "to" in payment
            ? { chain: null, to: payment.to as Address, value: payment.value }
            : {
                chain: null,
                to: MOCK_USDC_ADDRESS,
                data: encodeFunctionData({
                  abi: mockUsdcAbi,
                  functionName: "transfer",
                  args: [payment.token as Address, payment.value],
                }),
              },
        );
      await fx.mine(1);
    } finally {
      await fx.testClient.setAutomine(true);
    }
  }

  it("recomputes every payment a range touches together, each with its own state, timeline and events; one receipts call for the block", async () => {
    // One already detected (reaches its confirmations in the range), the rest paid in one block.
    const earlier = await fx.createPayment({ token: "USDC", amount: "4" });
    await fx.sendToken(earlier.address, usdc(4n));
    await fx.scan();
    expect((await fx.payment(earlier.id)).status).toBe("detected");

    const nativeExact = await Promise.all([1, 2, 3, 4].map(() => fx.createPayment({ amount: "0.5" })));
    const tokenExact = await Promise.all(
      [1, 2, 3, 4].map(() => fx.createPayment({ token: "USDC", amount: "3" })),
    );
    const tokenOver = await Promise.all([1, 2].map(() => fx.createPayment({ token: "USDC", amount: "1" })));
    const tokenPartial = await Promise.all(
      [1, 2].map(() => fx.createPayment({ token: "USDC", amount: "9" })),
    );
    await inOneBlock([
      ...nativeExact.map((payment) => ({ to: payment.address, value: parseEther("0.5") })),
      ...tokenExact.map((payment) => ({ token: payment.address, value: usdc(3n) })),
      ...tokenOver.map((payment) => ({ token: payment.address, value: usdc(2n) })),
      ...tokenPartial.map((payment) => ({ token: payment.address, value: usdc(5n) })),
    ]);
    await fx.mine(1);
    const block = await fx.publicClient.getBlock({ blockTag: "latest" });
    const paying = await fx.publicClient.getBlock({ blockNumber: block.number - 1n });
    expect(paying.transactions).toHaveLength(12);

    const proxy = await startRpcProxy(fx.anvil.rpcUrl);
    try {
      await fx.scan({}, { chain: { ...fx.chain, rpcUrls: [proxy.url] } });
    } finally {
      await proxy.close();
    }
    // The block's four native payments: their receipts in one eth_getBlockReceipts.
    const methods = proxy.calls.map((call) => call.method);
    expect(methods.filter((method) => method === "eth_getBlockReceipts")).toHaveLength(1);
    expect(methods).not.toContain("eth_getTransactionReceipt");
    for (const payment of [...nativeExact, ...tokenExact, ...tokenOver]) {
      const row = await fx.payment(payment.id);
      const over = tokenOver.includes(payment);
      expect(row).toMatchObject({
        status: "confirmed",
        exception: over ? "overpaid" : null,
        confirmations: 2,
      });
      expect(row.detectedAt).not.toBeNull();
      expect(row.confirmedAt).not.toBeNull();
      expect(row.statusChanges.map((change) => [change.fromStatus, change.toStatus, change.reason])).toEqual([
        [null, "pending", expect.any(String)],
        ["pending", "detected", "transfer detected: amount received"],
        ["detected", "confirmed", "transfer detected: 2 confirmations reached"],
      ]);
      expect(await fx.eventTypes(payment.id)).toEqual([
        "payment.created",
        "payment.detected",
        "payment.confirmed",
      ]);
      const events = await database.db.event.findMany({
        where: { objectId: payment.id, type: { not: "payment.created" } },
      });
      for (const event of events)
        expect(ZPaymentObject.parse(event.data)).toMatchObject({
          id: payment.id,
          status: "confirmed",
          amount_received: over ? "2" : payment.token.address ? "3" : "0.5",
        });
    }
    for (const payment of tokenPartial) {
      const row = await fx.payment(payment.id);
      expect(row).toMatchObject({ status: "pending", exception: null, detectedAt: null });
      expect(row.amountReceived.toFixed()).toBe(usdc(5n).toString());
      expect(await fx.eventTypes(payment.id)).toEqual(["payment.created"]);
    }
    const confirmed = await fx.payment(earlier.id);
    expect(confirmed.status).toBe("confirmed");
    expect(confirmed.statusChanges.at(-1)?.reason).toBe("confirmations: 2 confirmations reached");
    expect(await fx.eventTypes(earlier.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
    ]);
  });

  it("a node without eth_getBlockReceipts: the receipts are read one by one, nothing is missed", async () => {
    const payments = await Promise.all([1, 2, 3].map(() => fx.createPayment({ amount: "0.25" })));
    await inOneBlock(payments.map((payment) => ({ to: payment.address, value: parseEther("0.25") })));
    await fx.mine(1);
    const proxy = await startRpcProxy(fx.anvil.rpcUrl);
    proxy.fault = (call) =>
      call.method === "eth_getBlockReceipts"
        ? { rpcError: { code: -32601, message: "the method eth_getBlockReceipts does not exist" } }
        : null;
    try {
      await fx.scan({}, { chain: { ...fx.chain, rpcUrls: [proxy.url] } });
    } finally {
      await proxy.close();
    }
    const methods = proxy.calls.map((call) => call.method);
    expect(methods.filter((method) => method === "eth_getTransactionReceipt")).toHaveLength(3);
    for (const payment of payments)
      expect(await fx.payment(payment.id)).toMatchObject({ status: "confirmed", exception: null });
  });
});
