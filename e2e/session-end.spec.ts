// Issue 16: a session stayed valid 8 h after sign-out. Through the real server and next-auth: the
// session cookie saved before signing out (or before a password change) no longer opens the dashboard.
import type { Page } from "@playwright/test";
import { expect, signInViaApi, test } from "./fixtures";

async function sessionCookie(page: Page) {
  const cookie = (await page.context().cookies()).find((entry) => entry.name === "next-auth.session-token");
  if (!cookie) throw new Error("no session cookie");
  return cookie;
}

/** Opens the dashboard in a fresh context carrying only `cookie`: where does it land? */
async function dashboardWith(page: Page, cookie: Awaited<ReturnType<typeof sessionCookie>>) {
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser");
  const context = await browser.newContext({ baseURL: new URL(page.url()).origin });
  try {
    await context.addCookies([cookie]);
    const other = await context.newPage();
    await other.goto("/dashboard");
    return new URL(other.url()).pathname;
  } finally {
    await context.close();
  }
}

test("sign-out ends the session: its cookie no longer opens the dashboard", async ({ page, merchant }) => {
  await signInViaApi(page, merchant);
  await page.goto("/dashboard");
  const before = await sessionCookie(page);
  expect(await dashboardWith(page, before)).toBe("/dashboard");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect(await dashboardWith(page, before)).toBe("/sign-in");
});

test("a password change ends every session and the new password signs in", async ({ page, merchant }) => {
  await signInViaApi(page, merchant);
  await page.goto("/dashboard");
  const before = await sessionCookie(page);
  await page.getByRole("link", { name: merchant.email }).click();
  await expect(page.getByRole("heading", { name: "Account" })).toBeVisible();

  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel(/^New password/).fill("a brand new passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#current_password-error")).toHaveText("The current password is not correct");

  await page.getByLabel("Current password").fill(merchant.password);
  await page.getByLabel(/^New password/).fill("a brand new passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect(await dashboardWith(page, before)).toBe("/sign-in");

  await signInViaApi(page, { email: merchant.email, password: "a brand new passphrase" });
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/dashboard$/);
});
