import type { Hash } from "viem";
import type { Db } from "../db/client";
import { newId } from "../ids";

/**
 * TEST ONLY: records a real on-chain deposit as the chain scanner would (a `transfers` row, status
 * confirmed) and moves the payment to `confirmed`. The settlement tests send real funds first and
 * use this in place of the scanner, which is built separately.
 */
export async function markPaymentConfirmedForTest(
  db: Db,
  params: {
    paymentId: string;
    txHash: Hash;
    logIndex: number;
    fromAddress: string;
    amount: bigint;
    blockNumber: bigint;
    blockHash: Hash;
  },
): Promise<void> {
  const payment = await db.payment.findUniqueOrThrow({
    where: { id: params.paymentId },
    select: { chain: true, tokenAddress: true, depositAddress: true, status: true },
  });
  const now = new Date();
  await db.$transaction([
    db.transfer.create({
      data: {
        id: newId("trf"),
        chain: payment.chain,
        txHash: params.txHash,
        logIndex: params.logIndex,
        paymentId: params.paymentId,
        tokenAddress: payment.tokenAddress,
        fromAddress: params.fromAddress,
        toAddress: payment.depositAddress,
        amount: params.amount.toString(),
        blockNumber: params.blockNumber,
        blockHash: params.blockHash,
        blockTimestamp: now,
        status: "confirmed",
        confirmations: 2,
      },
    }),
    db.payment.update({
      where: { id: params.paymentId },
      data: {
        status: "confirmed",
        amountReceived: { increment: params.amount.toString() },
        detectedAt: now,
        confirmedAt: now,
      },
    }),
    db.paymentStatusChange.create({
      data: {
        id: newId("psc"),
        paymentId: params.paymentId,
        fromStatus: payment.status,
        toStatus: "confirmed",
        reason: "test: marked confirmed",
      },
    }),
  ]);
}
