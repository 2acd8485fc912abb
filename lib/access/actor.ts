import type { RequestOrigin } from "../audit/record-audit-entry";
import { AppError } from "../errors";
import {
  knownApiKeyPermissions,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  type TApiKeyPermission,
  type TPermission,
  type TRole,
} from "./permissions";

/**
 * Who asks a service to do something. Every service that reads or changes a merchant's data takes
 * one and calls {@link authorize}, so the API, the dashboard, the admin CLI and the jobs cannot
 * diverge. The permissions are those read from the database for this request (a key's current
 * permissions, a member's current role), never what a client claims.
 */
export type Actor =
  | { type: "api_key"; merchantId: string; apiKeyId: string; permissions: readonly TApiKeyPermission[] }
  | { type: "user"; merchantId: string; userId: string; role: TRole }
  /** The operator at the admin CLI: every permission on every merchant. */
  | { type: "operator" }
  /** A background job acting on the gateway's own behalf (scanner, sweeper, payout runner). */
  | { type: "system" };

/**
 * What a service that checks permissions takes in its deps, next to `db` and `chains`: who acts, and
 * where the request came from (for the audit log). Jobs pass {@link SYSTEM}, the admin CLI {@link OPERATOR}.
 */
export type AccessDeps = { actor: Actor; origin?: RequestOrigin };

export function apiKeyActor(params: {
  merchantId: string;
  apiKeyId: string;
  permissions: readonly string[];
}): Actor {
  return {
    type: "api_key",
    merchantId: params.merchantId,
    apiKeyId: params.apiKeyId,
    permissions: knownApiKeyPermissions(params.permissions),
  };
}

export function userActor(params: { merchantId: string; userId: string; role: TRole }): Actor {
  return { type: "user", merchantId: params.merchantId, userId: params.userId, role: params.role };
}

export const OPERATOR: Actor = { type: "operator" };
export const SYSTEM: Actor = { type: "system" };

/** The permissions an actor holds on its own merchant. */
export function actorPermissions(actor: Actor): readonly TPermission[] {
  switch (actor.type) {
    case "api_key":
      return actor.permissions;
    case "user":
      return ROLE_PERMISSIONS[actor.role];
    case "operator":
    case "system":
      return PERMISSIONS;
  }
}

export function hasPermission(actor: Actor, permission: TPermission): boolean {
  return actorPermissions(actor).includes(permission);
}

/** How an actor is named in messages and the audit log. */
export function describeActor(actor: Actor): string {
  switch (actor.type) {
    case "api_key":
      return `API key ${actor.apiKeyId}`;
    case "user":
      return `${actor.role} ${actor.userId}`;
    case "operator":
      return "the operator (admin CLI)";
    case "system":
      return "the gateway";
  }
}

/**
 * Throws 403 unless `actor` may use `permission` on `merchantId`. An actor of another merchant gets
 * 404, as if the object did not exist (merchant isolation answers 404 everywhere). The problem names
 * the permission so an integrator knows which key to use.
 */
export function authorize(actor: Actor, merchantId: string, permission: TPermission): void {
  if ((actor.type === "api_key" || actor.type === "user") && actor.merchantId !== merchantId)
    throw new AppError("not_found", "No such merchant object.");
  if (hasPermission(actor, permission)) return;
  throw new AppError(
    "forbidden",
    actor.type === "api_key"
      ? `This API key lacks the ${permission} permission. Create a key that has it (dashboard → API keys).`
      : `Your role (${actor.type === "user" ? actor.role : "none"}) does not allow this: it needs ${permission}, which ${ownersOnly(permission)}.`,
    { errors: [{ path: "permission", message: permission }] },
  );
}

function ownersOnly(permission: TPermission): string {
  const roles = (Object.keys(ROLE_PERMISSIONS) as TRole[]).filter((role) =>
    ROLE_PERMISSIONS[role].includes(permission),
  );
  return roles.length === 1 ? "only the owner has" : `the roles ${roles.join(", ")} have`;
}

/**
 * A member or key may hand out only permissions it holds itself (no escalation through a new key);
 * throws 403 naming the first one it lacks.
 */
export function authorizeGrant(actor: Actor, merchantId: string, granted: readonly TPermission[]): void {
  for (const permission of granted) authorize(actor, merchantId, permission);
}
