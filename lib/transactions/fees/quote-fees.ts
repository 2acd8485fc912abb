import type { ChainClient } from "../../chains/public-client";
import { shortMessage } from "../../chains/rpc-error";
import type { TChain } from "../../config/chains";
import { type FeeModel, feeModelOf } from "./fee-model";
import type { Eip1559FeeFields, LegacyFeeFields } from "./transaction-cost";
import { type TransactionPolicy, transactionPolicyOf } from "./transaction-policy";

type QuoteDetails = {
  model: FeeModel;
  /** The block the node's answer is about. */
  blockNumber: bigint;
  /** When the node was asked (ms since the epoch); a cached quote keeps the time it was asked. */
  quotedAt: number;
  /** The chain needs more than the policy's ceiling right now: the fields are clamped to it. */
  aboveCeiling: boolean;
};

/** EIP-1559 fees: max fee = 2 × base fee + tip, tip = the node's suggestion capped by the policy. */
export type Eip1559FeeQuote = Eip1559FeeFields &
  QuoteDetails & {
    model: Exclude<FeeModel, "legacy">;
    baseFeePerGas: bigint;
    /** The node's `eth_maxPriorityFeePerGas` (or fee-history median), before the policy's cap. */
    suggestedPriorityFeePerGas: bigint;
    /** 2 × base fee + tip before the ceiling: what the chain needs now. */
    requiredMaxFeePerGas: bigint;
  };

/** A legacy gas price: the node's `eth_gasPrice`, clamped to the ceiling. */
export type LegacyFeeQuote = LegacyFeeFields &
  QuoteDetails & {
    model: "legacy";
    /** The node's `eth_gasPrice` before the ceiling. */
    suggestedGasPrice: bigint;
  };

/** Fees for a new transaction; spread `feeFieldsOf(quote)` into it (the quote is a FeeFields). */
export type FeeQuote = Eip1559FeeQuote | LegacyFeeQuote;

export type QuoteFeesParameters = {
  chain: Pick<TChain, "chainId" | "blockTime" | "feeModel" | "transactions">;
  /** Reuse a quote this young (default: half a block, at most 5 s); 0 asks the node. */
  maxAgeMs?: number;
};

type FeeClient = Pick<
  ChainClient,
  "getCode" | "readContract" | "getBlock" | "getGasPrice" | "request" | "getFeeHistory"
>;

/** What the node said, before any policy: cached per client, so policies never share a stale cap. */
type NetworkFees =
  | { type: "eip1559"; blockNumber: bigint; baseFeePerGas: bigint; suggestedPriorityFeePerGas: bigint }
  | { type: "legacy"; blockNumber: bigint; gasPrice: bigint };

const cache = new WeakMap<object, { at: number; fees: NetworkFees }>();

/** How long a quote may be reused on a chain: half a block time, at most 5 s. */
export function feeCacheMsOf(chain: Pick<TChain, "blockTime">): number {
  return Math.min(5_000, Math.round((chain.blockTime * 1_000) / 2));
}

/**
 * The fees of a new transaction on the chain: EIP-1559 (every model but `legacy`) with the node's
 * suggested tip capped by the chain's policy and max fee = 2 × base fee + tip, or the legacy gas
 * price; never above the policy's ceiling (`aboveCeiling` says when the chain needs more).
 */
export async function quoteFees(client: FeeClient, params: QuoteFeesParameters): Promise<FeeQuote> {
  const { chain } = params;
  const model = await feeModelOf(client, chain);
  const type = model === "legacy" ? "legacy" : "eip1559";
  const maxAgeMs = params.maxAgeMs ?? feeCacheMsOf(chain);
  let entry = cache.get(client);
  if (!entry || entry.fees.type !== type || Date.now() - entry.at > maxAgeMs) {
    const at = Date.now();
    entry = { at, fees: type === "legacy" ? await legacyFees(client) : await eip1559Fees(client) };
    cache.set(client, entry);
  }
  return applyPolicy(model, entry.fees, entry.at, transactionPolicyOf(chain));
}

function applyPolicy(model: FeeModel, fees: NetworkFees, at: number, policy: TransactionPolicy): FeeQuote {
  const ceiling = policy.maxFeePerGas;
  const details = { blockNumber: fees.blockNumber, quotedAt: at };
  if (fees.type === "legacy") {
    const aboveCeiling = ceiling !== null && fees.gasPrice > ceiling;
    return {
      type: "legacy",
      model: "legacy",
      gasPrice: aboveCeiling && ceiling !== null ? ceiling : fees.gasPrice,
      suggestedGasPrice: fees.gasPrice,
      aboveCeiling,
      ...details,
    };
  }
  if (model === "legacy") throw new Error("unreachable: EIP-1559 fees for a legacy chain");
  const tipCap = policy.maxPriorityFeePerGas;
  const tip =
    tipCap !== null && fees.suggestedPriorityFeePerGas > tipCap ? tipCap : fees.suggestedPriorityFeePerGas;
  const required = 2n * fees.baseFeePerGas + tip;
  const aboveCeiling = ceiling !== null && required > ceiling;
  const maxFeePerGas = aboveCeiling && ceiling !== null ? ceiling : required;
  return {
    type: "eip1559",
    model,
    maxFeePerGas,
    maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas,
    baseFeePerGas: fees.baseFeePerGas,
    suggestedPriorityFeePerGas: fees.suggestedPriorityFeePerGas,
    requiredMaxFeePerGas: required,
    aboveCeiling,
    ...details,
  };
}

async function legacyFees(client: FeeClient): Promise<NetworkFees> {
  const [gasPrice, block] = await Promise.all([
    client.getGasPrice(),
    client.getBlock({ blockTag: "latest" }),
  ]);
  return { type: "legacy", blockNumber: block.number, gasPrice };
}

async function eip1559Fees(client: FeeClient): Promise<NetworkFees> {
  const [block, suggestedPriorityFeePerGas] = await Promise.all([
    client.getBlock({ blockTag: "latest" }),
    suggestedTip(client),
  ]);
  if (block.baseFeePerGas == null)
    throw new Error(
      `block ${block.number} has no base fee: the chain does not support EIP-1559 (set feeModel: legacy)`,
    );
  return {
    type: "eip1559",
    blockNumber: block.number,
    baseFeePerGas: block.baseFeePerGas,
    suggestedPriorityFeePerGas,
  };
}

/** Blocks and percentile of the fee-history fallback: the median tip of the last 10 blocks. */
const FEE_HISTORY_BLOCKS = 10;
const FEE_HISTORY_PERCENTILE = 50;

/**
 * The node's suggested tip: `eth_maxPriorityFeePerGas`, or the median of the recent non-empty blocks'
 * median tips from `eth_feeHistory` on nodes without that method (0 when all were empty).
 */
async function suggestedTip(client: FeeClient): Promise<bigint> {
  try {
    return BigInt(await client.request({ method: "eth_maxPriorityFeePerGas" }));
  } catch (unsupported) {
    const history = await client
      .getFeeHistory({ blockCount: FEE_HISTORY_BLOCKS, rewardPercentiles: [FEE_HISTORY_PERCENTILE] })
      .catch((error: unknown) => {
        throw new Error(
          `the node answers neither eth_maxPriorityFeePerGas (${shortMessage(unsupported)}) nor eth_feeHistory`,
          { cause: error },
        );
      });
    // Empty blocks report a 0 tip: they say nothing about what gets a transaction included.
    const tips = (history.reward ?? [])
      .filter((_, index) => (history.gasUsedRatio[index] ?? 0) > 0)
      .map((rewards) => rewards[0] ?? 0n)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return tips[Math.floor(tips.length / 2)] ?? 0n;
  }
}
