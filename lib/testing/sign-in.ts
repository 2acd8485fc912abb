import { authOptions } from "../auth/auth-options";

type Authorize = (
  credentials: Record<string, string>,
  request: { headers: Record<string, string> },
) => Promise<unknown>;

/** The credentials provider's `authorize` of our auth options, as next-auth calls it on sign-in. */
export function credentialsAuthorize(
  credentials: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const provider = authOptions().providers[0] as unknown as { options: { authorize: Authorize } };
  return provider.options.authorize(credentials, { headers });
}
