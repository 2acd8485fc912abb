import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  parseAbi,
} from "viem";
import type { ChainClient } from "../../chains/public-client";
import type { TFeeModel } from "../../config/chain-fees";
import type { TChain } from "../../config/chains";

export type FeeModel = TFeeModel;

/** OP-stack predeploy that prices the L1 data of an L2 transaction (`getL1Fee(bytes)`). */
export const GAS_PRICE_ORACLE_ADDRESS: Address = "0x420000000000000000000000000000000000000F";
/** Arbitrum's ArbSys precompile: answers `arbOSVersion()` on every Arbitrum chain. */
export const ARB_SYS_ADDRESS: Address = "0x0000000000000000000000000000000000000064";

const arbSysAbi = parseAbi(["function arbOSVersion() view returns (uint256)"]);

/** Chains whose fee model is known without asking the node (mainnets and their public testnets). */
const KNOWN_FEE_MODELS: ReadonlyMap<number, FeeModel> = new Map([
  [10, "op-stack"], // OP Mainnet
  [11155420, "op-stack"], // OP Sepolia
  [8453, "op-stack"], // Base
  [84532, "op-stack"], // Base Sepolia
  [130, "op-stack"], // Unichain
  [480, "op-stack"], // World Chain
  [7777777, "op-stack"], // Zora
  [34443, "op-stack"], // Mode
  [42161, "arbitrum"], // Arbitrum One
  [42170, "arbitrum"], // Arbitrum Nova
  [421614, "arbitrum"], // Arbitrum Sepolia
] satisfies Array<[number, FeeModel]>);

type DetectClient = Pick<ChainClient, "getCode" | "readContract" | "getBlock">;

/**
 * The fee model of the chain behind `client`, asked of the node: OP-stack when the GasPriceOracle
 * predeploy has code, Arbitrum when ArbSys answers, else EIP-1559 when the latest block has a base
 * fee, else legacy. Known chain ids are answered without a request.
 */
export async function detectFeeModel(client: DetectClient, params: { chainId: number }): Promise<FeeModel> {
  const known = KNOWN_FEE_MODELS.get(params.chainId);
  if (known) return known;
  const [oracleCode, arbOsVersion, block] = await Promise.all([
    client.getCode({ address: GAS_PRICE_ORACLE_ADDRESS }),
    client
      .readContract({ address: ARB_SYS_ADDRESS, abi: arbSysAbi, functionName: "arbOSVersion" })
      .catch(notArbitrum),
    client.getBlock({ blockTag: "latest" }),
  ]);
  if (oracleCode && oracleCode !== "0x") return "op-stack";
  if (arbOsVersion !== null) return "arbitrum";
  return block.baseFeePerGas != null ? "eip1559" : "legacy";
}

/**
 * Elsewhere ArbSys is an address without code, whose call answers "0x" (or reverts on chains that
 * reserve it): not Arbitrum. Any other error (node down) is thrown, never taken as an answer.
 */
function notArbitrum(error: unknown): null {
  const empty =
    error instanceof BaseError &&
    error.walk(
      (cause) =>
        cause instanceof ContractFunctionZeroDataError || cause instanceof ContractFunctionRevertedError,
    );
  if (empty) return null;
  throw error;
}

// Per client (one per configured chain): a chain does not change its fee model while we run.
const detected = new WeakMap<object, Promise<FeeModel>>();

/** The chain's configured `feeModel`, or the detected one (asked once per client, then cached). */
export function feeModelOf(
  client: DetectClient,
  chain: Pick<TChain, "chainId" | "feeModel">,
): Promise<FeeModel> {
  if (chain.feeModel) return Promise.resolve(chain.feeModel);
  let model = detected.get(client);
  if (!model) {
    model = detectFeeModel(client, { chainId: chain.chainId });
    detected.set(client, model);
    // A failed detection (node down) is asked again next time rather than cached.
    void model.catch(() => detected.delete(client));
  }
  return model;
}
