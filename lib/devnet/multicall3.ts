import { type Address, createPublicClient, createTestClient, http } from "viem";
import { MULTICALL3_ADDRESS } from "../chains/multicall3";
import { MULTICALL3_CREATION_CODE } from "./multicall3-bytecode";

/**
 * Places Multicall3 at its canonical address on an Anvil node (a fresh Anvil has none), so the
 * devnet's native balance check batches like on a real chain. The runtime code is what running the
 * creation code returns (an `eth_call` without `to`); code already there is left alone.
 */
export async function placeMulticall3(
  rpcUrl: string,
  address: Address = MULTICALL3_ADDRESS,
): Promise<boolean> {
  const transport = http(rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport });
  const existing = await publicClient.getCode({ address });
  if (existing && existing !== "0x") return false;
  const { data: runtime } = await publicClient.call({ data: MULTICALL3_CREATION_CODE });
  if (!runtime || runtime === "0x") throw new Error("Multicall3 creation code returned no runtime code");
  await createTestClient({ mode: "anvil", transport }).setCode({ address, bytecode: runtime });
  return true;
}
