"use server";

import { revalidatePath } from "next/cache";
import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { ZRole } from "@/lib/access/permissions";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { actionOrigin } from "@/lib/dashboard/action-origin";
import { formErrorsOf } from "@/lib/dashboard/form-errors";
import { AppError } from "@/lib/errors";
import { createInvitation, revokeInvitation, type TeamDeps } from "@/lib/team/invitations";
import { changeMemberRole, removeMember } from "@/lib/team/members";
import { ZInviteMember } from "@/lib/team/team-input";

const PATH = "/dashboard/team";

export type InviteMemberState = {
  error: string | null;
  fieldErrors: Record<string, string>;
  /** The link, shown once to the owner who made it; only its hash is stored. */
  invited: { email: string; role: string; url: string } | null;
};

export async function inviteMemberAction(
  _previous: InviteMemberState,
  form: FormData,
): Promise<InviteMemberState> {
  const { db, merchant, actor } = await requireMerchantSession(PATH);
  const input = ZInviteMember.safeParse({ email: form.get("email"), role: form.get("role") });
  if (!input.success)
    return { ...(formErrorsOf(input.error) ?? { error: "Invalid input", fieldErrors: {} }), invited: null };
  try {
    const invitation = await createInvitation(
      { db, actor, origin: await actionOrigin() },
      merchant.id,
      input.data,
    );
    revalidatePath(PATH);
    return {
      error: null,
      fieldErrors: {},
      invited: { email: invitation.email, role: invitation.role, url: invitation.url },
    };
  } catch (error) {
    // Not the owner (403), or an email that already has an account (409): said as it is.
    if (error instanceof AppError && (error.code === "forbidden" || error.code === "conflict"))
      return { error: error.message, fieldErrors: {}, invited: null };
    throw error;
  }
}

const ZInvitationId = z.string().regex(/^inv_[0-9A-Za-z]{22}$/);
const ZUserId = z.string().regex(/^usr_[0-9A-Za-z]{22}$/);

/**
 * Runs a team change and returns to the team page with its outcome: another merchant's (or a gone)
 * object is the not-found page; a refusal (not the owner, the last owner) a notice.
 */
async function changeTeam(
  form: FormData,
  change: (deps: TeamDeps, merchantId: string) => Promise<unknown>,
  done: string,
): Promise<never> {
  const { db, merchant, actor } = await requireMerchantSession(PATH);
  let notice = done;
  if (form.get("confirm") !== "on") notice = "unconfirmed";
  else
    try {
      await change({ db, actor, origin: await actionOrigin() }, merchant.id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === "not_found") notFound();
      if (error.code === "forbidden") notice = "forbidden";
      else if (error.code === "conflict") notice = "last-owner";
      else throw error;
    }
  revalidatePath(PATH);
  redirect(`${PATH}?notice=${notice}`);
}

export async function revokeInvitationAction(form: FormData): Promise<void> {
  const id = ZInvitationId.safeParse(form.get("invitationId"));
  if (!id.success) notFound();
  await changeTeam(
    form,
    (deps, merchantId) => revokeInvitation(deps, merchantId, id.data),
    "invitation-revoked",
  );
}

export async function changeMemberRoleAction(form: FormData): Promise<void> {
  const userId = ZUserId.safeParse(form.get("userId"));
  if (!userId.success) notFound();
  const role = ZRole.safeParse(form.get("role"));
  if (!role.success) redirect(`${PATH}?notice=bad-role`);
  await changeTeam(
    form,
    (deps, merchantId) => changeMemberRole(deps, merchantId, { userId: userId.data, role: role.data }),
    "role-changed",
  );
}

export async function removeMemberAction(form: FormData): Promise<void> {
  const userId = ZUserId.safeParse(form.get("userId"));
  if (!userId.success) notFound();
  await changeTeam(form, (deps, merchantId) => removeMember(deps, merchantId, userId.data), "removed");
}
