// The end state a power loss must leave (RELIABILITY.md, issue 17): nothing claimed that the chain
// does not hold, everything the chain holds settled, exactly once.
import type { Hash } from "viem";
import { expect } from "vitest";
import type { Db } from "../db/client";
import { toBigInt } from "../payments/payment-object";

export type PaidPayment = { id: string; units: bigint; hash: Hash };

/**
 * Every counted transfer is in its block on the node; a payment whose transfer the chain lost
 * (`gone`) is `pending` with nothing received; any other is `settled` with exactly its transfer.
 */
export async function expectPaymentsFollowTheChain(
  db: Db,
  client: { getTransactionReceipt(args: { hash: Hash }): Promise<{ blockHash: Hash }> },
  paid: readonly PaidPayment[],
  gone: ReadonlySet<string>,
): Promise<void> {
  for (const payment of paid) {
    const row = await db.payment.findUniqueOrThrow({
      where: { id: payment.id },
      include: { transfers: true },
    });
    const counted = row.transfers.filter((transfer) => transfer.status !== "reverted");
    for (const transfer of counted) {
      const receipt = await client.getTransactionReceipt({ hash: transfer.txHash as Hash });
      expect(receipt.blockHash, `${payment.id} ${transfer.txHash}`).toBe(transfer.blockHash);
    }
    if (gone.has(payment.id)) {
      expect(row.status, payment.id).toBe("pending");
      expect(toBigInt(row.amountReceived), payment.id).toBe(0n);
    } else {
      expect(row.status, payment.id).toBe("settled");
      expect(toBigInt(row.amountReceived), payment.id).toBe(payment.units);
      expect(counted.map((transfer) => transfer.txHash.toLowerCase())).toEqual([payment.hash.toLowerCase()]);
    }
  }
}
