// The tip per gas the gateway's transactions actually paid (effective gas price − the block's base
// fee, from receipts and blocks) next to the node's suggested tip (`eth_maxPriorityFeePerGas`), for
// the benches' output: a tip far above the suggestion is money given to the block builder.
import type { Hash, PublicClient } from "viem";

type TipClient = Pick<PublicClient, "getTransactionReceipt" | "getBlock" | "request">;

/** Effective tip per gas of each mined transaction (legacy blocks without a base fee: the gas price). */
export async function effectiveTips(client: TipClient, hashes: readonly Hash[]): Promise<bigint[]> {
  const baseFees = new Map<bigint, Promise<bigint>>();
  const baseFeeAt = (blockNumber: bigint) => {
    let baseFee = baseFees.get(blockNumber);
    if (!baseFee) {
      baseFee = client.getBlock({ blockNumber }).then((block) => block.baseFeePerGas ?? 0n);
      baseFees.set(blockNumber, baseFee);
    }
    return baseFee;
  };
  return Promise.all(
    hashes.map(async (hash) => {
      const receipt = await client.getTransactionReceipt({ hash });
      return receipt.effectiveGasPrice - (await baseFeeAt(receipt.blockNumber));
    }),
  );
}

/** One output line: min / mean / max effective tip over the transactions, and the node's suggestion. */
export async function tipReportLine(client: TipClient, hashes: readonly Hash[]): Promise<string> {
  const [tips, suggested] = await Promise.all([
    effectiveTips(client, hashes),
    client.request({ method: "eth_maxPriorityFeePerGas" }).then(BigInt),
  ]);
  const sorted = [...tips].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mean = sorted.length ? sorted.reduce((sum, tip) => sum + tip, 0n) / BigInt(sorted.length) : 0n;
  return (
    `tip per gas paid (effective gas price − base fee) | ${sorted.length} transactions | ` +
    `min ${sorted[0] ?? 0n} / mean ${mean} / max ${sorted.at(-1) ?? 0n} wei | node's suggested tip ${suggested} wei`
  );
}
