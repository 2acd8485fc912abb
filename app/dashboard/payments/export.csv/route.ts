import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { publicUrl } from "@/lib/config/public-url";
import { exportPaymentsCsv } from "@/lib/dashboard/export-payments-csv";
import { ZDashboardPaymentsQuery } from "@/lib/dashboard/search-payments";

export const dynamic = "force-dynamic";

/** CSV of the filtered payments table (session-protected; route handlers do not pass through the layout). */
export async function GET(request: Request): Promise<Response> {
  const { db, merchant } = await requireMerchantSession("/dashboard/payments");
  const { after: _ignored, ...filters } = ZDashboardPaymentsQuery.parse(
    Object.fromEntries(new URL(request.url).searchParams),
  );
  const lines = exportPaymentsCsv(db, merchant.id, filters, publicUrl());
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const date = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="payments-${date}.csv"`,
      "cache-control": "no-store",
    },
  });
}
