"use server";

import { headers } from "next/headers";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { acceptInvitation } from "@/lib/team/accept-invitation";
import { ZAcceptInvitation } from "@/lib/team/team-input";

export type AcceptInvitationResult =
  | { ok: true; email: string }
  | { ok: false; error: string; fieldErrors?: Partial<Record<"name" | "password", string>> };

/** Accepts the invitation of the link's token with the name and password the new member chose. */
export async function acceptInvitationAction(form: FormData): Promise<AcceptInvitationResult> {
  const token = form.get("token");
  const parsed = ZAcceptInvitation.safeParse({ name: form.get("name"), password: form.get("password") });
  if (!parsed.success) {
    const fieldErrors: Partial<Record<"name" | "password", string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "name" || field === "password") && !fieldErrors[field])
        fieldErrors[field] = issue.message;
    }
    return { ok: false, error: "Check the highlighted fields.", fieldErrors };
  }
  try {
    const member = await acceptInvitation(
      // An invalid token is refused by the service like a used one.
      { token: typeof token === "string" ? token : "", ...parsed.data },
      { origin: { clientAddress: clientIp(await headers()), requestId: null } },
    );
    return { ok: true, email: member.email };
  } catch (error) {
    if (error instanceof AppError && (error.code === "not_found" || error.code === "conflict"))
      return { ok: false, error: error.message };
    throw error;
  }
}
