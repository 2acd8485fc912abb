// Makes a test's own Anvil node look like an L2 to the fee code: the OP-stack GasPriceOracle
// predeploy (a compiled mock with a deterministic per-byte L1 fee), optionally behind a node stand-in
// that charges that L1 fee as an OP node does, or Arbitrum's ArbSys precompile.
import {
  type Address,
  createTestClient,
  type Hex,
  http,
  keccak256,
  numberToHex,
  pad,
  parseAbi,
  parseTransaction,
  publicActions,
  recoverTransactionAddress,
  serializeTransaction,
} from "viem";
import { mockGasPriceOracleArtifact } from "../devnet/gas-price-oracle";
import { ARB_SYS_ADDRESS, GAS_PRICE_ORACLE_ADDRESS } from "../transactions/fees/fee-model";
import { RpcErrorAnswer, startRpcProxy } from "./rpc-proxy";

/** Runtime code answering every call with the word 32: enough for `arbOSVersion()` (ArbOS 32). */
const ARB_SYS_STAND_IN: Hex = "0x602060005260206000f3";

function testClient(rpcUrl: string) {
  return createTestClient({ mode: "anvil", transport: http(rpcUrl) });
}

/**
 * Places the mock GasPriceOracle at the OP-stack predeploy address: `getL1Fee(bytes)` then answers
 * (length + 68) × `l1FeePerByte` wei (storage slot 0: placed code runs no constructor).
 */
export async function placeGasPriceOracle(
  rpcUrl: string,
  params: { l1FeePerByte: bigint },
): Promise<Address> {
  const client = testClient(rpcUrl);
  await client.setCode({
    address: GAS_PRICE_ORACLE_ADDRESS,
    bytecode: mockGasPriceOracleArtifact.deployedBytecode,
  });
  await client.setStorageAt({
    address: GAS_PRICE_ORACLE_ADDRESS,
    index: 0,
    value: pad(numberToHex(params.l1FeePerByte), { size: 32 }),
  });
  return GAS_PRICE_ORACLE_ADDRESS;
}

/** Places an ArbSys stand-in at 0x…64, as every Arbitrum chain has. */
export async function placeArbSys(rpcUrl: string): Promise<void> {
  await testClient(rpcUrl).setCode({ address: ARB_SYS_ADDRESS, bytecode: ARB_SYS_STAND_IN });
}

/** OP-stack's L1FeeVault predeploy: where an OP node credits the L1 data fees it charges. */
const L1_FEE_VAULT_ADDRESS: Address = "0x420000000000000000000000000000000000001A";
const gasPriceOracleAbi = parseAbi(["function getL1Fee(bytes _data) view returns (uint256)"]);

export type OpStackDevnet = {
  /** The node's URL: an OP node's JSON-RPC, answered by the Anvil node behind it. */
  url: string;
  /** The L1 data fee charged for a mined transaction (undefined: not charged, e.g. never mined). */
  l1FeeOf(hash: string): bigint | undefined;
  close(): Promise<void>;
};

/**
 * An OP-stack-like devnet: the mock GasPriceOracle predeploy on a test's own Anvil, behind a node
 * stand-in that charges the L1 data fee as an OP node does (Anvil itself charges none): a
 * transaction whose sender cannot pay value + gas limit × max fee + L1 fee is refused; a mined one
 * is charged the oracle's `getL1Fee` of its bytes (moved to the L1FeeVault predeploy), and its
 * receipt reports it as `l1Fee`. The fee is charged once the transaction is mined, before the node
 * answers anything else, so replaced or dropped transactions cost nothing.
 */
export async function startOpStackDevnet(
  rpcUrl: string,
  params: { l1FeePerByte: bigint },
): Promise<OpStackDevnet> {
  await placeGasPriceOracle(rpcUrl, params);
  const anvil = testClient(rpcUrl).extend(publicActions);
  const proxy = await startRpcProxy(rpcUrl);
  const pending = new Map<Hex, { from: Address; l1Fee: bigint }>();
  const charged = new Map<Hex, bigint>();
  const credit = async (address: Address, amount: bigint) =>
    anvil.setBalance({ address, value: (await anvil.getBalance({ address })) + amount });
  // One at a time: every call waits until the fees of the transactions mined so far are charged.
  let charging = Promise.resolve();
  const chargeMined = () => {
    charging = charging.then(async () => {
      for (const [hash, { from, l1Fee }] of pending) {
        const mined = await anvil.getTransactionReceipt({ hash }).then(
          () => true,
          () => false,
        );
        if (!mined) continue;
        pending.delete(hash);
        charged.set(hash, l1Fee);
        await credit(from, -l1Fee);
        await credit(L1_FEE_VAULT_ADDRESS, l1Fee);
      }
    });
    return charging;
  };
  proxy.answer = async (call, forward) => {
    await chargeMined();
    const [first] = call.params ?? [];
    if (call.method === "eth_getTransactionReceipt") {
      const receipt = (await forward(call)) as Record<string, unknown> | null | undefined;
      const l1Fee = charged.get(first as Hex);
      return receipt && l1Fee !== undefined ? { ...receipt, l1Fee: numberToHex(l1Fee) } : receipt;
    }
    if (call.method !== "eth_sendRawTransaction") return undefined;
    const rawTx = first as Hex;
    const hash = keccak256(rawTx);
    if (charged.has(hash) || pending.has(hash)) return undefined;
    const { r: _r, s: _s, v: _v, yParity: _yParity, ...unsigned } = parseTransaction(rawTx);
    const [from, l1Fee] = await Promise.all([
      recoverTransactionAddress({ serializedTransaction: rawTx as never }),
      anvil.readContract({
        address: GAS_PRICE_ORACLE_ADDRESS,
        abi: gasPriceOracleAbi,
        functionName: "getL1Fee",
        args: [serializeTransaction(unsigned)],
      }),
    ]);
    const cost =
      (unsigned.value ?? 0n) +
      (unsigned.gas ?? 0n) * (unsigned.maxFeePerGas ?? unsigned.gasPrice ?? 0n) +
      l1Fee;
    const balance = await anvil.getBalance({ address: from });
    if (balance < cost)
      return new RpcErrorAnswer(
        -32003,
        `insufficient funds for gas * price + value + l1 data fee: balance ${balance}, tx cost ${cost}`,
      );
    pending.set(hash, { from, l1Fee });
    return undefined;
  };
  return {
    url: proxy.url,
    l1FeeOf: (hash) => charged.get(hash as Hex),
    close: () => proxy.close(),
  };
}
