import type { TAuditAction } from "./record-audit-entry";

/** How the dashboard names each audit action. */
export const AUDIT_ACTION_LABELS: Record<TAuditAction, string> = {
  "user.signed_in": "Signed in",
  "user.sign_in_failed": "Sign-in failed",
  "user.signed_out": "Signed out",
  "user.password_changed": "Password changed",
  "member.invited": "Member invited",
  "member.invitation_revoked": "Invitation revoked",
  "member.joined": "Member joined",
  "member.added": "Member added (operator)",
  "member.role_changed": "Role changed",
  "member.removed": "Member removed",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "settings.treasury_changed": "Treasury changed",
  "settings.payout_limits_changed": "Payout limits changed",
  "settings.change_scheduled": "Settings change scheduled",
  "settings.change_canceled": "Scheduled change canceled",
  "settings.change_applied": "Scheduled change applied",
  "settings.account_changed": "Account settings changed",
  "payout.approved": "Payout approved",
  "payout.rejected": "Payout rejected",
  "payment.refunded": "Payment refunded",
  "payment.unattributed_transfer_resolved": "Unattributed transfer resolved",
  "payment.expiry_extended": "Payment expiry extended",
};

/** The label of an action; an action this version does not know is shown as stored. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}
