// The one table the authorization matrices are generated from (app/api/authorization-matrix.test.ts
// and app/dashboard/server-actions-matrix.test.ts): every API operation and every dashboard server
// action, with the permission it needs and the roles allowed to use it. Both tests fail when an
// operation of OPERATIONS or a "use server" export is missing here, so nothing new goes unchecked.
// The roles are written out (not derived from ROLE_PERMISSIONS): the table is the specification the
// permission model is tested against (a check compares the two).
import type { TApiKeyPermission, TPermission, TRole } from "../access/permissions";

const EVERYONE: readonly TRole[] = ["owner", "admin", "developer", "viewer"];
const OPERATORS: readonly TRole[] = ["owner", "admin"];
const BUILDERS: readonly TRole[] = ["owner", "admin", "developer"];
const OWNER: readonly TRole[] = ["owner"];

/** A permission, or `member` for what any signed-in member may do to their own account. */
export type TableRow<P extends TPermission | "member" = TPermission> = {
  permission: P;
  roles: readonly TRole[];
};

const read = <P extends TApiKeyPermission>(permission: P): TableRow<P> => ({ permission, roles: EVERYONE });
const row = <P extends TPermission>(permission: P, roles: readonly TRole[]): TableRow<P> => ({
  permission,
  roles,
});

/** `METHOD /path` of every private API operation → what an API key (and a member) needs. */
export const API_OPERATION_TABLE: Record<string, TableRow<TApiKeyPermission>> = {
  "POST /api/v1/payments": row("payments:write", OPERATORS),
  "GET /api/v1/payments": read("payments:read"),
  "GET /api/v1/payments/{id}": read("payments:read"),
  "POST /api/v1/payments/{id}/cancel": row("payments:write", OPERATORS),
  "POST /api/v1/payments/{id}/extend": row("payments:write", OPERATORS),
  "POST /api/v1/payments/{id}/resolve": row("payments:write", OPERATORS),
  "POST /api/v1/payments/{id}/unattributed-transfers/resolve": row("payments:write", OPERATORS),
  "POST /api/v1/payments/{id}/refund": row("refunds:write", OPERATORS),
  "GET /api/v1/events": read("events:read"),
  "GET /api/v1/events/{id}": read("events:read"),
  "PUT /api/v1/settings/treasury": row("settings:write", OWNER),
  "GET /api/v1/settings/treasury": read("settings:read"),
  "PUT /api/v1/settings/quotes": row("settings:write", OWNER),
  "GET /api/v1/settings/quotes": read("settings:read"),
  "PUT /api/v1/settings/payouts": row("settings:write", OWNER),
  "GET /api/v1/settings/payouts": read("settings:read"),
  "GET /api/v1/reconciliation": read("balances:read"),
  "GET /api/v1/balances": read("balances:read"),
  "GET /api/v1/balance-transactions": read("balances:read"),
  "GET /api/v1/rates": read("payments:read"),
  "POST /api/v1/payouts": row("payouts:write", OPERATORS),
  "GET /api/v1/payouts": read("payouts:read"),
  "GET /api/v1/payouts/{id}": read("payouts:read"),
  "POST /api/v1/payouts/{id}/approve": row("payouts:approve", OWNER),
  "POST /api/v1/payouts/{id}/reject": row("payouts:approve", OWNER),
  "POST /api/v1/webhook-endpoints": row("webhooks:write", BUILDERS),
  "GET /api/v1/webhook-endpoints": read("webhooks:read"),
  "GET /api/v1/webhook-endpoints/{id}": read("webhooks:read"),
  "PATCH /api/v1/webhook-endpoints/{id}": row("webhooks:write", BUILDERS),
  "DELETE /api/v1/webhook-endpoints/{id}": row("webhooks:write", BUILDERS),
  "POST /api/v1/webhook-endpoints/{id}/rotate-secret": row("webhooks:write", BUILDERS),
  "POST /api/v1/webhook-endpoints/{id}/test": row("webhooks:write", BUILDERS),
  "GET /api/v1/webhook-deliveries": read("webhooks:read"),
  "GET /api/v1/webhook-deliveries/{id}": read("webhooks:read"),
  "POST /api/v1/webhook-deliveries/{id}/retry": row("webhooks:write", BUILDERS),
  "GET /api/v1/settings/pending-changes": read("settings:read"),
  "POST /api/v1/settings/pending-changes/{id}/cancel": row("settings:write", OWNER),
  "GET /api/v1/audit-log": read("audit:read"),
};

/** What the default API key (no permissions named at creation) is refused. */
export const REFUSED_TO_DEFAULT_KEY = [
  "PUT /api/v1/settings/treasury",
  "PUT /api/v1/settings/payouts",
  "PUT /api/v1/settings/quotes",
  "POST /api/v1/payouts/{id}/approve",
  "POST /api/v1/payouts/{id}/reject",
] as const;

/** `file#export` of every dashboard server action → the permission and the roles allowed; null = public. */
export const SERVER_ACTION_TABLE: Record<string, TableRow<TPermission | "member"> | null> = {
  "app/dashboard/payments/actions.ts#createPaymentAction": row("payments:write", OPERATORS),
  "app/dashboard/payments/actions.ts#cancelPaymentAction": row("payments:write", OPERATORS),
  "app/dashboard/payments/actions.ts#resolvePaymentAction": row("payments:write", OPERATORS),
  "app/dashboard/payments/actions.ts#extendPaymentExpiryAction": row("payments:write", OPERATORS),
  "app/dashboard/payments/actions.ts#refundPaymentAction": row("refunds:write", OPERATORS),
  "app/dashboard/payments/actions.ts#resolveUnattributedTransferAction": row("payments:write", OPERATORS),
  "app/dashboard/payouts/actions.ts#createPayoutAction": row("payouts:write", OPERATORS),
  "app/dashboard/payouts/actions.ts#approvePayoutAction": row("payouts:approve", OWNER),
  "app/dashboard/payouts/actions.ts#rejectPayoutAction": row("payouts:approve", OWNER),
  "app/dashboard/api-keys/actions.ts#createApiKeyAction": row("keys:write", BUILDERS),
  "app/dashboard/api-keys/actions.ts#revokeApiKeyAction": row("keys:write", BUILDERS),
  "app/dashboard/settings/actions.ts#updateSettingsAction": row("account:write", OPERATORS),
  "app/dashboard/settings/actions.ts#setTreasuryAction": row("settings:write", OWNER),
  "app/dashboard/settings/actions.ts#setPayoutLimitsAction": row("settings:write", OWNER),
  "app/dashboard/webhooks/actions.ts#createWebhookEndpointAction": row("webhooks:write", BUILDERS),
  "app/dashboard/webhooks/actions.ts#updateWebhookEndpointAction": row("webhooks:write", BUILDERS),
  "app/dashboard/webhooks/actions.ts#setWebhookEndpointStatusAction": row("webhooks:write", BUILDERS),
  "app/dashboard/webhooks/actions.ts#rotateWebhookSecretAction": row("webhooks:write", BUILDERS),
  "app/dashboard/webhooks/actions.ts#sendTestWebhookAction": row("webhooks:write", BUILDERS),
  "app/dashboard/webhooks/actions.ts#deleteWebhookEndpointAction": row("webhooks:write", BUILDERS),
  "app/dashboard/webhooks/actions.ts#retryWebhookDeliveryAction": row("webhooks:write", BUILDERS),
  "app/dashboard/settings/actions.ts#cancelSettingChangeAction": row("settings:write", OWNER),
  "app/dashboard/team/actions.ts#inviteMemberAction": row("team:write", OWNER),
  "app/dashboard/team/actions.ts#revokeInvitationAction": row("team:write", OWNER),
  "app/dashboard/team/actions.ts#changeMemberRoleAction": row("team:write", OWNER),
  "app/dashboard/team/actions.ts#removeMemberAction": row("team:write", OWNER),
  "app/dashboard/(overview)/actions.ts#acknowledgeIncidentsAction": row("account:write", OPERATORS),
  "app/dashboard/account/actions.ts#changePasswordAction": { permission: "member", roles: EVERYONE },
  "app/dashboard/notifications/actions.ts#setNotificationPreferencesAction": {
    permission: "member",
    roles: EVERYONE,
  },
  "app/dashboard/notifications/actions.ts#markNotificationsReadAction": {
    permission: "member",
    roles: EVERYONE,
  },
  "app/dashboard/settings/actions.ts#setQuoteSettingsAction": row("settings:write", OWNER),
  "app/sign-up/actions.ts#signUpAction": null,
  "app/invite/[token]/actions.ts#acceptInvitationAction": null,
};

/** `METHOD /path` as the table names an operation. */
export function operationKey(operation: { method: string; path: string }): string {
  return `${operation.method.toUpperCase()} ${operation.path}`;
}
