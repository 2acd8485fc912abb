import { headers } from "next/headers";
import type { RequestOrigin } from "../audit/record-audit-entry";
import { clientIp } from "../http/client-ip";

/** Where a dashboard server action's request came from, for the audit log (no request id there). */
export async function actionOrigin(): Promise<RequestOrigin> {
  return { clientAddress: clientIp(await headers()), requestId: null };
}
