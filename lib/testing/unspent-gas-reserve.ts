import type { Hex, PublicClient } from "viem";

/**
 * What a mined transaction reserved for gas and did not burn: gas limit × max fee (or the legacy gas
 * price) − gas used × effective price. A native sweep sends its balance less this reserve (and the
 * L1 fee on OP-stack chains), so this much stays at the deposit address.
 */
export async function unspentGasReserve(
  client: Pick<PublicClient, "getTransaction" | "getTransactionReceipt">,
  txHash: string | null,
): Promise<bigint> {
  if (!txHash) throw new Error("no transaction hash");
  const [transaction, receipt] = await Promise.all([
    client.getTransaction({ hash: txHash as Hex }),
    client.getTransactionReceipt({ hash: txHash as Hex }),
  ]);
  const maxPrice = transaction.maxFeePerGas ?? transaction.gasPrice ?? 0n;
  return transaction.gas * maxPrice - receipt.gasUsed * receipt.effectiveGasPrice;
}
