// Signing in as next-auth does: the credentials provider's `authorize` of our auth options, with a
// client address (the TCP peer), against the process-wide database client (lib/db/client.ts `db()`).
import { PEER_ADDRESS_HEADER, peerAddressHeaderValue } from "../http/peer-address";
import type { TestDatabase } from "./database";
import { credentialsAuthorize } from "./sign-in";

/** Points the process-wide client `authorize` uses at a test file's database. */
export function pointProcessDbAt(database: TestDatabase): void {
  (globalThis as { ctripDb?: TestDatabase["db"] }).ctripDb = database.db;
}

/** next-auth's credentials `authorize` for `email` and `password` from client address `ip`. */
export function signInWithCredentials(email: string, password: string, ip: string): Promise<unknown> {
  // The TCP peer as the server stamps it (lib/http/peer-address.ts): X-Forwarded-For is not believed.
  return credentialsAuthorize({ email, password }, { [PEER_ADDRESS_HEADER]: peerAddressHeaderValue(ip) });
}
