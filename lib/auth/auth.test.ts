import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { signUp, ZSignUp } from "./sign-up";
import { verifyCredentials, ZCredentials } from "./verify-credentials";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("sign-up and credentials", () => {
  it("signs up a merchant with its owner, then verifies the password (and only it)", async () => {
    const input = ZSignUp.parse({
      name: " Tea House ",
      email: " Owner@Tea.Example ",
      password: "long enough pw",
    });
    const { merchantId, email } = await signUp(input, database.db);
    expect(email).toBe("owner@tea.example");

    const user = await verifyCredentials(
      database.db,
      ZCredentials.parse({ email: "OWNER@tea.example", password: "long enough pw" }),
    );
    expect(user).toEqual({
      userId: expect.stringMatching(/^usr_/),
      merchantId,
      email,
      merchantName: "Tea House",
    });
    expect(await verifyCredentials(database.db, { email, password: "wrong password" })).toBeNull();
    expect(
      await verifyCredentials(database.db, { email: "nobody@tea.example", password: "long enough pw" }),
    ).toBeNull();
  });

  it("refuses a second account with the same email (any case) as a conflict", async () => {
    await signUp(
      ZSignUp.parse({ name: "A", email: "dup@example.com", password: "long enough pw" }),
      database.db,
    );
    await expect(
      signUp(ZSignUp.parse({ name: "B", email: "DUP@example.com", password: "long enough pw" }), database.db),
    ).rejects.toMatchObject({ code: "conflict" });
  });

  it("validates sign-up input: short passwords and bad emails are refused", () => {
    expect(ZSignUp.safeParse({ name: "A", email: "a@example.com", password: "short" }).success).toBe(false);
    expect(ZSignUp.safeParse({ name: "A", email: "not-an-email", password: "long enough pw" }).success).toBe(
      false,
    );
    expect(ZSignUp.safeParse({ name: "", email: "a@example.com", password: "long enough pw" }).success).toBe(
      false,
    );
  });
});
