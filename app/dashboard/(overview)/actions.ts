"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { AppError } from "@/lib/errors";
import { acknowledgeChainIncident } from "@/lib/health/chain-incidents";

/**
 * Acknowledges every open chain incident the merchant sees (owner and admin), for this merchant only:
 * /api/health stays degraded for a chain-wide one until the operator acknowledges it (admin CLI).
 */
export async function acknowledgeIncidentsAction(): Promise<void> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard");
  let notice = "acknowledged";
  try {
    await acknowledgeChainIncident({ db, actor }, merchant.id);
  } catch (error) {
    if (!(error instanceof AppError && error.status === 403)) throw error;
    notice = "forbidden";
  }
  revalidatePath("/dashboard");
  redirect(`/dashboard?incidents=${notice}`);
}
