import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { FORWARDER_ADDRESS } from "../devnet/forwarder";
import { createFiatPayment } from "../payments/create-fiat-payment";
import { getPaymentOrThrow } from "../payments/get-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { BALANCE_CREDIT_LOG_INDEX } from "./check-native-balances";

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

describe("native balance check (ETH sent by contracts)", () => {
  it("credits ETH a contract sent exactly once, through Multicall3, and it then confirms", async () => {
    const payment = await fx.createPayment({ amount: "1" });
    const receipt = await fx.sendEthViaContract(payment.address, parseEther("1"));
    // A real internal transfer: the transaction goes to the forwarder, the ETH lands on the address.
    expect(receipt.status).toBe("success");
    expect(receipt.to?.toLowerCase()).toBe(FORWARDER_ADDRESS.toLowerCase());
    expect(await fx.publicClient.getBalance({ address: payment.address as `0x${string}` })).toBe(
      parseEther("1"),
    );

    await fx.scan();
    // The blind spot: the block scan sees no transaction to the deposit address.
    expect(await fx.payment(payment.id)).toMatchObject({ status: "pending", transfers: [] });

    // Two checkers at once (two instances): one credit between them.
    const [first, second] = await Promise.all([fx.checkBalances(), fx.checkBalances()]);
    expect([first.credited, second.credited].sort()).toEqual([0, 1]);
    expect(first).toMatchObject({ method: "multicall3", rpcCalls: 1, addressesChecked: 1 });
    let row = await fx.payment(payment.id);
    expect(row.status).toBe("detected");
    expect(row.amountReceived.toFixed()).toBe(parseEther("1").toString());
    expect(row.transfers).toHaveLength(1);
    expect(row.transfers[0]).toMatchObject({
      logIndex: BALANCE_CREDIT_LOG_INDEX,
      txHash: `balance:${payment.address}:${receipt.blockNumber}`,
      tokenAddress: null,
      blockNumber: receipt.blockNumber,
      paymentId: payment.id,
    });

    // Checked again, at the same block and at later ones: nothing more.
    expect((await fx.checkBalances()).credited).toBe(0);
    await fx.mine(2);
    await fx.scan();
    expect((await fx.checkBalances()).credited).toBe(0);
    row = await fx.payment(payment.id);
    expect(row.transfers).toHaveLength(1);
    expect(row.amountReceived.toFixed()).toBe(parseEther("1").toString());
    expect(row.status).toBe("confirmed");
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
    ]);
  });

  it("credits only what the scanned transfers do not explain, with batched eth_getBalance without Multicall3", async () => {
    const chain = { ...fx.chain, multicall3: null };
    const payment = await fx.createPayment({ amount: "2", chain });
    const unpaid = await fx.createPayment({ amount: "1", chain });
    await fx.sendEth(payment.address, parseEther("0.5"));
    await fx.sendEthViaContract(payment.address, parseEther("1.5"));
    await fx.scan({}, { chain });
    let row = await fx.payment(payment.id);
    expect(row.status).toBe("pending");
    expect(row.amountReceived.toFixed()).toBe(parseEther("0.5").toString());

    const result = await fx.checkBalances({ force: true }, { chain });
    expect(result.method).toBe("eth_getBalance");
    expect(result.rpcCalls).toBe(result.addressesChecked);
    expect(result.credited).toBe(1);
    row = await fx.payment(payment.id);
    expect(row.status).toBe("detected");
    expect(row.amountReceived.toFixed()).toBe(parseEther("2").toString());
    const credit = row.transfers.find((transfer) => transfer.logIndex === BALANCE_CREDIT_LOG_INDEX);
    expect(credit?.amount.toFixed()).toBe(parseEther("1.5").toString());
    expect(await fx.payment(unpaid.id)).toMatchObject({ status: "pending", transfers: [] });
  });

  it("runs every balanceCheckBlocks scanned blocks unless forced", async () => {
    const chain = { ...fx.chain, balanceCheckBlocks: 5 };
    await fx.createPayment({ amount: "1", chain });
    await fx.mine(1);
    await fx.scan({}, { chain });
    const checked = await fx.checkBalances({ force: true }, { chain });
    expect(checked.blockNumber).not.toBeNull();
    await fx.mine(2);
    await fx.scan({}, { chain });
    expect((await fx.checkBalances({}, { chain })).blockNumber).toBeNull();
    await fx.mine(3);
    await fx.scan({}, { chain });
    const due = await fx.checkBalances({}, { chain });
    expect(due.blockNumber).toBe((checked.blockNumber ?? 0n) + 5n);
  });

  it("a reorg that drops the contract's transfer reverts the credit; the next check credits nothing", async () => {
    const chain = { ...fx.chain, confirmations: 10 };
    const payment = await fx.createPayment({ amount: "0.3", chain });
    await fx.sendEthViaContract(payment.address, parseEther("0.3"));
    await fx.scan({}, { chain });
    expect((await fx.checkBalances({ force: true }, { chain })).credited).toBe(1);
    expect((await fx.payment(payment.id)).status).toBe("detected");

    await fx.testClient.request({ method: "anvil_reorg" as never, params: [1, []] as never });
    await fx.mine(1);
    expect(await fx.publicClient.getBalance({ address: payment.address as `0x${string}` })).toBe(0n);
    await fx.scan({}, { chain });
    let row = await fx.payment(payment.id);
    expect(row.status).toBe("pending");
    expect(row.amountReceived.toFixed()).toBe("0");
    expect(row.transfers.map((transfer) => transfer.status)).toEqual(["reverted"]);

    expect((await fx.checkBalances({ force: true }, { chain })).credited).toBe(0);
    row = await fx.payment(payment.id);
    expect(row.status).toBe("pending");
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.reverted",
    ]);
  });

  it("credits a contract's ETH to a fiat-priced payment that accepts ETH, valued in its currency", async () => {
    // USDC is its first option (the coin it names until paid); ETH, at 3000 USD on the devnet, its second.
    const payment = await createFiatPayment(
      { actor: OPERATOR, db: database.db, chains: [fx.chain], baseUrl: BASE_URL, now: await fx.chainNow() },
      fx.merchant.merchantId,
      {
        price: { amount: "30.00", currency: "USD" },
        accepts: [{ chain: "local", token: "USDC" }, { chain: "local" }],
      },
    );
    await fx.sendEthViaContract(payment.address, parseEther("0.01"));
    await fx.scan();
    expect((await fx.payment(payment.id)).status).toBe("pending");

    expect((await fx.checkBalances()).credited).toBe(1);
    const credited = await getPaymentOrThrow(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      BASE_URL,
    );
    expect(credited).toMatchObject({ status: "detected", value_received: "30.00", token: { symbol: "ETH" } });
    expect((await fx.payment(payment.id)).transfers).toEqual([
      expect.objectContaining({ logIndex: BALANCE_CREDIT_LOG_INDEX, amount: expect.anything() }),
    ]);
    // Checked again: nothing more.
    expect((await fx.checkBalances()).credited).toBe(0);
  });
});
