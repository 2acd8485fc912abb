// Sign-in throttling as next-auth runs it: the credentials provider's `authorize` of our auth
// options, against real users in a real database. 5 failures per email and client address, then
// even the right password is refused with a "try again" message; other addresses are not locked
// until the email's own limit (20 failures from anywhere) is reached.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_ADDRESS_HEADER, peerAddressHeaderValue } from "../http/peer-address";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { credentialsAuthorize } from "../testing/sign-in";
import { loginThrottle, TooManyAttemptsError } from "./auth-options";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // The process-wide client `authorize` uses (lib/db/client.ts `db()`), on this file's database.
  (globalThis as { ctripDb?: TestDatabase["db"] }).ctripDb = database.db;
});
afterAll(() => database?.drop());

function authorize(email: string, password: string, ip: string) {
  return credentialsAuthorize({ email, password }, { [PEER_ADDRESS_HEADER]: peerAddressHeaderValue(ip) });
}

async function owner(label: string) {
  const email = `${label}-${Date.now()}@example.com`;
  await createMerchant(database.db, { name: label, email, password: "correct horse battery" });
  return email;
}

describe("sign-in throttling (next-auth authorize)", () => {
  it("locks an email and address after 5 failures, even for the right password; other addresses still sign in", async () => {
    const email = await owner("throttled");
    for (let i = 0; i < 5; i++) expect(await authorize(email, "wrong password", "203.0.113.7")).toBeNull();
    await expect(authorize(email, "correct horse battery", "203.0.113.7")).rejects.toBeInstanceOf(
      TooManyAttemptsError,
    );
    await expect(authorize(email, "wrong password", "203.0.113.7")).rejects.toThrow(
      /Try again in \d+ minute/,
    );
    expect(await authorize(email, "correct horse battery", "198.51.100.9")).toMatchObject({ email });
  });

  it("locks an email everywhere after 20 failures from many addresses", async () => {
    const email = await owner("spread");
    for (let i = 0; i < 20; i++) expect(await authorize(email, "wrong password", `192.0.2.${i}`)).toBeNull();
    await expect(authorize(email, "correct horse battery", "198.51.100.10")).rejects.toBeInstanceOf(
      TooManyAttemptsError,
    );
    // Another account is not affected.
    const other = await owner("unaffected");
    expect(await authorize(other, "correct horse battery", "192.0.2.1")).toMatchObject({ email: other });
    loginThrottle.perEmail.reset(email);
  });
});
