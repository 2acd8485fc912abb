import type { Db } from "../db/client";
import {
  PAYMENT_SELECT,
  serializePayment,
  type TPaymentObject,
  ZPaymentObject,
} from "../payments/payment-object";

export type PaymentStatus = TPaymentObject["status"];
export const PAYMENT_STATUSES = ZPaymentObject.shape.status.options;

export type DashboardOverview = {
  countsByStatus: Record<PaymentStatus, number>;
  total: number;
  recentPayments: TPaymentObject[];
};

/** Counts by status and the latest payments of one merchant. */
export async function getDashboardOverview(
  db: Db,
  merchantId: string,
  baseUrl: string,
  recentLimit = 5,
): Promise<DashboardOverview> {
  const [groups, recent] = await Promise.all([
    db.payment.groupBy({ by: ["status"], where: { merchantId }, _count: { _all: true } }),
    db.payment.findMany({
      where: { merchantId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: recentLimit,
      select: PAYMENT_SELECT,
    }),
  ]);
  const countsByStatus = Object.fromEntries(PAYMENT_STATUSES.map((status) => [status, 0])) as Record<
    PaymentStatus,
    number
  >;
  for (const group of groups) countsByStatus[group.status] = group._count._all;
  return {
    countsByStatus,
    total: Object.values(countsByStatus).reduce((sum, count) => sum + count, 0),
    recentPayments: recent.map((row) => serializePayment(row, baseUrl)),
  };
}
