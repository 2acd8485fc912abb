import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { readPipeline } from "../db/read-pipeline";
import { AppError } from "../errors";
import { PAYMENT_SELECT, type PaymentRow, serializePayment, type TPaymentObject } from "./payment-object";
import { readPaymentRow } from "./payment-row-raw";

/** The serializer's input through Prisma (four queries: the payment and its three relations). */
export async function readPaymentRowPrisma(
  db: Db,
  merchantId: string,
  id: string,
): Promise<PaymentRow | undefined> {
  return (await db.payment.findFirst({ where: { id, merchantId }, select: PAYMENT_SELECT })) ?? undefined;
}

/** A payment of this merchant; another merchant's id is indistinguishable from a missing one. */
export async function getPaymentOrThrow(
  deps: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
  baseUrl: string,
): Promise<TPaymentObject> {
  authorize(deps.actor, merchantId, "payments:read");
  // One statement on the pipelined reader (the API's GET); Prisma on a transaction client.
  const reader = await readPipeline(deps.db);
  const row = reader
    ? await readPaymentRow(reader, merchantId, id)
    : await readPaymentRowPrisma(deps.db, merchantId, id);
  if (!row) throw new AppError("not_found", `No such payment: ${id}`);
  return serializePayment(row, baseUrl);
}
