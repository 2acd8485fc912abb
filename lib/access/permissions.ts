import { z } from "zod";

/**
 * Every permission of the gateway. The API-key permissions are what the REST API checks; the
 * dashboard-only ones exist for members (roles) and can never be put on a key. Each service that
 * reads or changes a merchant's data names the one it needs (lib/access/authorize.ts).
 */
export const API_KEY_PERMISSIONS = [
  "payments:read",
  "payments:write",
  "refunds:write",
  "payouts:read",
  "payouts:write",
  "payouts:approve",
  "balances:read",
  "webhooks:read",
  "webhooks:write",
  "events:read",
  "settings:read",
  /** Money routing: treasury addresses and settlement modes, payout limits and auto-approval. */
  "settings:write",
  "audit:read",
] as const;

/** Permissions only a dashboard member can hold. */
export const MEMBER_ONLY_PERMISSIONS = [
  /** Create and revoke API keys. */
  "keys:write",
  /** Invite members, change roles, remove members. */
  "team:write",
  /** Settings that route no money: default expiry, branding, display. */
  "account:write",
] as const;

export const PERMISSIONS = [...API_KEY_PERMISSIONS, ...MEMBER_ONLY_PERMISSIONS] as const;

export const ZPermission = z.enum(PERMISSIONS);
export type TPermission = z.infer<typeof ZPermission>;
export const ZApiKeyPermission = z.enum(API_KEY_PERMISSIONS);
export type TApiKeyPermission = z.infer<typeof ZApiKeyPermission>;

/** The permissions that can move or redirect money without anybody else: owner-only for members. */
export const MONEY_ROUTING_PERMISSIONS = [
  "payouts:approve",
  "settings:write",
] as const satisfies readonly TApiKeyPermission[];

const READ_PERMISSIONS = API_KEY_PERMISSIONS.filter((permission) => permission.endsWith(":read"));

/**
 * What a key gets when its creator names no permissions: the whole integration API, but neither
 * approving payouts nor changing where money goes — a key leaked from a shop server cannot drain funds.
 */
export const DEFAULT_API_KEY_PERMISSIONS: readonly TApiKeyPermission[] = API_KEY_PERMISSIONS.filter(
  (permission) => !(MONEY_ROUTING_PERMISSIONS as readonly string[]).includes(permission),
);

export const ROLES = ["owner", "admin", "developer", "viewer"] as const;
export const ZRole = z.enum(ROLES);
export type TRole = z.infer<typeof ZRole>;

/**
 * Stripe-like roles. Owner: everything. Admin: payments, refunds, payout requests, webhooks, keys,
 * settings that route no money. Developer: keys, webhooks, read. Viewer: read.
 */
export const ROLE_PERMISSIONS: Record<TRole, readonly TPermission[]> = {
  owner: PERMISSIONS,
  admin: [
    ...READ_PERMISSIONS,
    "payments:write",
    "refunds:write",
    "payouts:write",
    "webhooks:write",
    "keys:write",
    "account:write",
  ],
  developer: [...READ_PERMISSIONS, "webhooks:write", "keys:write"],
  viewer: READ_PERMISSIONS,
};

/** Stored permissions this version knows (a value written by a newer version grants nothing). */
export function knownApiKeyPermissions(stored: readonly string[]): TApiKeyPermission[] {
  return stored.filter((value): value is TApiKeyPermission =>
    (API_KEY_PERMISSIONS as readonly string[]).includes(value),
  );
}
