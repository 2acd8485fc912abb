// Signing in as next-auth does: the credentials provider's `authorize` of our auth options, with a
// client address, against the process-wide database client (lib/db/client.ts `db()`).
import { authOptions } from "../auth/auth-options";
import type { TestDatabase } from "./database";

type Authorize = (
  credentials: Record<string, string>,
  request: { headers: Record<string, string> },
) => Promise<unknown>;

/** Points the process-wide client `authorize` uses at a test file's database. */
export function pointProcessDbAt(database: TestDatabase): void {
  (globalThis as { ctripDb?: TestDatabase["db"] }).ctripDb = database.db;
}

/** next-auth's credentials `authorize` for `email` and `password` from client address `ip`. */
export function signInWithCredentials(email: string, password: string, ip: string): Promise<unknown> {
  const provider = authOptions().providers[0] as unknown as { options: { authorize: Authorize } };
  return provider.options.authorize({ email, password }, { headers: { "x-forwarded-for": ip } });
}
