// The password re-check before a money-routing change, on a real database: the right password
// passes, a wrong or missing one is a 422 on the password field, a role without the permission gets
// its 403 before any password is looked at, repeated wrong guesses are throttled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyActor, userActor } from "../access/actor";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { reconfirmPassword } from "./reconfirm-password";

let database: TestDatabase;
let merchantId: string;
let ownerId: string;
const PASSWORD = "correct horse battery";

beforeAll(async () => {
  database = await createTestDatabase();
  merchantId = (await createMerchant(database.db, { name: "r", email: "r@example.com", password: PASSWORD }))
    .merchantId;
  ownerId = (await database.db.user.findFirstOrThrow({ where: { merchantId } })).id;
});
afterAll(() => database.drop());

const owner = () => ({ db: database.db, actor: userActor({ merchantId, userId: ownerId, role: "owner" }) });

async function outcome(promise: Promise<unknown>) {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return `${error.code} ${error.errors?.map((field) => `${field.path}: ${field.message}`).join("; ") ?? error.message}`;
  }
}

describe("reconfirmPassword", () => {
  it("accepts the member's password and refuses a wrong, empty, missing or absurd one on the password field", async () => {
    expect(await outcome(reconfirmPassword(owner(), merchantId, "settings:write", PASSWORD))).toBe("ok");
    expect(await outcome(reconfirmPassword(owner(), merchantId, "settings:write", "wrong"))).toBe(
      "validation_failed password: That password is not correct.",
    );
    for (const missing of ["", null, undefined])
      expect(await outcome(reconfirmPassword(owner(), merchantId, "settings:write", missing))).toBe(
        "validation_failed password: Enter your password to confirm this change.",
      );
    expect(await outcome(reconfirmPassword(owner(), merchantId, "settings:write", "x".repeat(5_000)))).toBe(
      "validation_failed password: That password is not correct.",
    );
    // The right one again clears the failures counted so far.
    expect(await outcome(reconfirmPassword(owner(), merchantId, "settings:write", PASSWORD))).toBe("ok");
  });

  it("checks the permission first: an admin gets the role's refusal, another merchant 404, a key 403", async () => {
    const admin = { db: database.db, actor: userActor({ merchantId, userId: ownerId, role: "admin" }) };
    expect(await outcome(reconfirmPassword(admin, merchantId, "settings:write", "anything"))).toMatch(
      /^forbidden permission: settings:write/,
    );
    expect(await outcome(reconfirmPassword(owner(), "mer_other", "settings:write", PASSWORD))).toMatch(
      /^not_found/,
    );
    const key = {
      db: database.db,
      actor: apiKeyActor({ merchantId, apiKeyId: "key_x", permissions: ["settings:write"] }),
    };
    expect(await outcome(reconfirmPassword(key, merchantId, "settings:write", PASSWORD))).toMatch(
      /^forbidden/,
    );
  });

  it("throttles a member after 5 wrong passwords, even the right one, until the window passes", async () => {
    const now = Date.now() + 86_400_000;
    for (let attempt = 0; attempt < 5; attempt += 1)
      expect(await outcome(reconfirmPassword(owner(), merchantId, "settings:write", "guess", now))).toMatch(
        /not correct/,
      );
    expect(await outcome(reconfirmPassword(owner(), merchantId, "settings:write", PASSWORD, now))).toMatch(
      /Too many wrong passwords/,
    );
    expect(
      await outcome(reconfirmPassword(owner(), merchantId, "settings:write", PASSWORD, now + 16 * 60_000)),
    ).toBe("ok");
  });
});
