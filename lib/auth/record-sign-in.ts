import { userActor } from "../access/actor";
import { recordAuditEntry } from "../audit/record-audit-entry";
import type { Db } from "../db/client";
import { clientIp } from "../http/client-ip";

/** next-auth hands `authorize` the request headers as a plain record. */
function toHeaders(headers: Record<string, unknown> | undefined): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers ?? {}))
    if (typeof value === "string") result.set(name, value);
  return result;
}

/**
 * Records a sign-in attempt in the audit log of the account's merchant: `user.signed_in` for a
 * success, `user.sign_in_failed` (details {email}) for a wrong password. An email without an account
 * belongs to no merchant and is not recorded in any tenant's log (it would let one merchant see what
 * others type).
 */
export async function recordSignInAttempt(
  db: Db,
  params: { email: string; succeeded: boolean; headers?: Record<string, unknown> },
): Promise<void> {
  const user = await db.user.findUnique({
    where: { email: params.email },
    select: { id: true, merchantId: true, role: true },
  });
  if (!user) return;
  const origin = { clientAddress: clientIp(toHeaders(params.headers)), requestId: null };
  await db.$transaction((tx) =>
    params.succeeded
      ? recordAuditEntry(tx, {
          merchantId: user.merchantId,
          actor: userActor({ merchantId: user.merchantId, userId: user.id, role: user.role }),
          action: "user.signed_in",
          targetId: user.id,
          origin,
        })
      : recordAuditEntry(tx, {
          merchantId: user.merchantId,
          actor: { type: "anonymous" },
          action: "user.sign_in_failed",
          targetId: user.id,
          details: { email: params.email },
          origin,
        }),
  );
}
