// The OP-stack L1 data fee on an Anvil node with the mock GasPriceOracle predeploy: the oracle's own
// answer for the serialized unsigned transaction, the same call viem's OP-stack action makes, and 0
// (no request) on the other models. A transfer that reserves it leaves it behind.
import { type Address, createWalletClient, http, parseEther, parseGwei, serializeTransaction } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { estimateL1Fee } from "viem/op-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChainClient } from "../../chains/public-client";
import { anvilDefaultAccounts } from "../../devnet/setup-devnet";
import { type RunningAnvil, startAnvil } from "../../runtime/anvil";
import { freePort } from "../../runtime/free-port";
import { placeGasPriceOracle } from "../../testing/fee-model-devnet";
import { type RpcProxy, startRpcProxy } from "../../testing/rpc-proxy";
import { testChain } from "../../testing/test-chain";
import { GAS_PRICE_ORACLE_ADDRESS } from "./fee-model";
import { estimateGasLimit } from "./gas-limit";
import { quoteL1Fee } from "./l1-fee";
import { quoteFees } from "./quote-fees";
import { feeFieldsOf, maxTransactionCost, paidFee } from "./transaction-cost";

const L1_FEE_PER_BYTE = 1_000_000n;
let anvil: RunningAnvil;
let proxy: RpcProxy;
beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() });
  await placeGasPriceOracle(anvil.rpcUrl, { l1FeePerByte: L1_FEE_PER_BYTE });
  proxy = await startRpcProxy(anvil.rpcUrl);
});
afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});

const recipient: Address = "0x000000000000000000000000000000000000bEEF";
const transaction = {
  chainId: 31337,
  type: "eip1559",
  nonce: 7,
  gas: 21_000n,
  maxFeePerGas: parseGwei("2.5"),
  maxPriorityFeePerGas: parseGwei("0.001"),
  to: recipient,
  value: parseEther("1.25"),
} as const;

describe("quoteL1Fee", () => {
  it("is the oracle's getL1Fee of the serialized unsigned transaction", async () => {
    const client = createChainClient(testChain({ rpcUrls: [anvil.rpcUrl] }));
    const bytes = (serialized: string) => BigInt((serialized.length - 2) / 2);
    const expected = bytes(serializeTransaction(transaction)) + 68n;
    expect(await quoteL1Fee(client, { feeModel: "op-stack", transaction })).toBe(expected * L1_FEE_PER_BYTE);
    // A transaction with calldata costs more L1 data.
    const withData = { ...transaction, data: `0x${"ab".repeat(100)}` } as const;
    const withDataBytes = bytes(serializeTransaction(withData)) + 68n;
    expect(withDataBytes).toBeGreaterThan(expected + 100n);
    expect(await quoteL1Fee(client, { feeModel: "op-stack", transaction: withData })).toBe(
      withDataBytes * L1_FEE_PER_BYTE,
    );
  });

  it("asks the oracle as viem's estimateL1Fee does (same bytes, same answer)", async () => {
    const client = createChainClient(testChain({ rpcUrls: [anvil.rpcUrl] }));
    const [account] = anvilDefaultAccounts(1) as [Address];
    const viemFee = await estimateL1Fee(client, {
      account,
      to: recipient,
      value: transaction.value,
      gasPriceOracleAddress: GAS_PRICE_ORACLE_ADDRESS,
    });
    // viem serializes stand-in nonce, gas and fees: the same transaction with those values.
    const standIn = {
      ...transaction,
      nonce: 1,
      maxFeePerGas: parseGwei("5"),
      maxPriorityFeePerGas: parseGwei("1"),
    };
    expect(await quoteL1Fee(client, { feeModel: "op-stack", transaction: standIn })).toBe(viemFee);
  });

  it.each(["eip1559", "legacy", "arbitrum"] as const)("is 0 without a request on %s", async (feeModel) => {
    const client = createChainClient(testChain({ rpcUrls: [proxy.url] }));
    const before = proxy.calls.length;
    expect(await quoteL1Fee(client, { feeModel, transaction })).toBe(0n);
    expect(proxy.calls.length).toBe(before);
  });

  it("a native transfer of balance − max cost goes through and leaves the reserved L1 fee", async () => {
    const chain = testChain({ rpcUrls: [anvil.rpcUrl], feeModel: "op-stack" });
    const client = createChainClient(chain);
    const sender = privateKeyToAccount(generatePrivateKey());
    const balance = parseEther("0.5");
    await client.request({
      method: "anvil_setBalance" as never,
      params: [sender.address, `0x${balance.toString(16)}`] as never,
    });
    const quote = await quoteFees(client, { chain, maxAgeMs: 0 });
    const gas = await estimateGasLimit(client, {
      feeModel: "op-stack",
      account: sender.address,
      to: recipient,
    });
    const unsigned = { chainId: 31337, nonce: 0, gas, to: recipient, value: 0n, ...feeFieldsOf(quote) };
    const l1Fee = await quoteL1Fee(client, { feeModel: "op-stack", transaction: unsigned });
    expect(l1Fee).toBeGreaterThan(0n);
    const value = balance - maxTransactionCost(quote, gas, l1Fee);
    const wallet = createWalletClient({
      account: sender,
      chain: client.chain,
      transport: http(anvil.rpcUrl),
    });
    const hash = await wallet.sendTransaction({ ...unsigned, value });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt.status).toBe("success");
    // Anvil charges no L1 fee: what stays is the reserve minus what was paid for gas.
    const left = await client.getBalance({ address: sender.address });
    expect(left).toBe(balance - value - (paidFee(receipt, l1Fee) - l1Fee));
    expect(left).toBeGreaterThanOrEqual(l1Fee);
  });
});
