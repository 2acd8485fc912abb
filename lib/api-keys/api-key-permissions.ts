import { z } from "zod";

/**
 * Privileges an API key may carry beyond the integration API. None is on by default: a key that
 * leaks from an integration can create payouts but not approve them. Only the merchant owner (in
 * the dashboard) or the operator (admin CLI) grants them, when the key is created.
 */
export const API_KEY_PERMISSIONS = ["payouts:approve"] as const;
export const ZApiKeyPermission = z.enum(API_KEY_PERMISSIONS);
export type TApiKeyPermission = z.infer<typeof ZApiKeyPermission>;
