import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import { type RequestOrigin, recordAuditEntry } from "../audit/record-audit-entry";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { ZRecipientAddress } from "../validation/address";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

const transferKey = {
  chain: z.string().min(1).max(32),
  tx_hash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a transaction hash"),
  // A log index is an int4 column (and never near its limit): past it is a 422, not a database error.
  log_index: z.number().int().min(-1).max(2_147_483_647),
};

export const ZResolveUnattributedTransfer = z.discriminatedUnion("resolution", [
  /** `accepted`: the merchant keeps the coins: swept to the chain's treasury (or hot wallet, credited). */
  z.strictObject({ ...transferKey, resolution: z.literal("accepted") }),
  /** `refunded`: the coins go back, from the deposit address to `refund_address` (less its gas if native). */
  z.strictObject({ ...transferKey, resolution: z.literal("refunded"), refund_address: ZRecipientAddress }),
]);
export type TResolveUnattributedTransfer = z.infer<typeof ZResolveUnattributedTransfer>;

/**
 * Resolves a transfer sent to a payment's address in a coin or on a chain the payment does not
 * accept: the exception is closed with the merchant's decision (recorded, audited), and the sweeper
 * moves exactly that transfer's coins once it has its confirmations (plan-sweeps.ts): to the
 * merchant when accepted, back to `refund_address` when refunded (which needs `refunds:write` too).
 * A transfer already resolved, or reverted by a reorg, is a 409; a refund to the deposit address
 * itself is a 422.
 */
export async function resolveUnattributedTransfer(
  deps: { db: Db; baseUrl: string } & AccessDeps & { origin?: RequestOrigin },
  merchantId: string,
  paymentId: string,
  input: TResolveUnattributedTransfer,
  now: Date = new Date(),
): Promise<TPaymentObject> {
  authorize(deps.actor, merchantId, "payments:write");
  if (input.resolution === "refunded") authorize(deps.actor, merchantId, "refunds:write");
  const refundAddress = input.resolution === "refunded" ? input.refund_address : null;
  return deps.db.$transaction(async (tx) => {
    const transfer = await tx.transfer.findFirst({
      where: {
        chain: input.chain,
        txHash: input.tx_hash.toLowerCase(),
        logIndex: input.log_index,
        unattributedPaymentId: paymentId,
        unattributedPayment: { merchantId },
      },
      select: { id: true, status: true, resolution: true, tokenAddress: true, amount: true, toAddress: true },
    });
    if (!transfer) throw new AppError("not_found", "No such unattributed transfer of this payment.");
    if (refundAddress && refundAddress.toLowerCase() === transfer.toAddress.toLowerCase()) {
      const message = "is this payment's own deposit address: give the address to send the coins back to";
      throw new AppError("validation_failed", `refund_address: ${message}`, {
        errors: [{ path: "refund_address", message }],
      });
    }
    const { count } = await tx.transfer.updateMany({
      where: { id: transfer.id, resolution: null, status: { not: "reverted" } },
      data: { resolution: input.resolution, resolvedAt: now, refundAddress },
    });
    if (count === 0)
      throw new AppError(
        "invalid_state",
        transfer.resolution
          ? `This transfer is already ${transfer.resolution}.`
          : "This transfer was reverted.",
      );
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "payment.unattributed_transfer_resolved",
      targetId: paymentId,
      details: {
        chain: input.chain,
        tx_hash: input.tx_hash.toLowerCase(),
        log_index: input.log_index,
        token_address: transfer.tokenAddress,
        amount_base_units: transfer.amount.toFixed(0),
        resolution: input.resolution,
        ...(refundAddress ? { refund_address: refundAddress } : {}),
      },
      origin: deps.origin,
    });
    return serializePayment(
      await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, select: PAYMENT_SELECT }),
      deps.baseUrl,
    );
  });
}
