// Makes a test's own Anvil node look like an L2 to the fee code: the OP-stack GasPriceOracle
// predeploy (a compiled mock with a deterministic per-byte L1 fee) or Arbitrum's ArbSys precompile.
import { type Address, createTestClient, type Hex, http, numberToHex, pad } from "viem";
import { mockGasPriceOracleArtifact } from "../devnet/gas-price-oracle";
import { ARB_SYS_ADDRESS, GAS_PRICE_ORACLE_ADDRESS } from "../transactions/fees/fee-model";

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
