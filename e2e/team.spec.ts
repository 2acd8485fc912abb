// The team as a merchant's owner builds it: invitations through the Team page, each accepted in a
// fresh browser with a name and password, roles that hold at once (a demoted member's stale form is
// refused by the server), and the audit log showing what happened.
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

const PASSWORD = "member e2e password";

async function invite(page: Page, email: string, role: string): Promise<string> {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Invite member" }).click();
  const link = page.getByTestId("invite-link");
  await expect(link).toContainText("/invite/");
  await expect(page.getByRole("status")).toContainText(email);
  return (await link.textContent()) ?? "";
}

function roleCell(page: Page, email: string) {
  return page.getByTestId("member-row").filter({ hasText: email }).locator("td").nth(2);
}

/** Opens the link in a fresh browser context, joins with a name and password, lands signed in. */
async function accept(browser: Browser, link: string, email: string, name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByTestId("invited-email")).toHaveText(email);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Join the team" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText(email)).toBeVisible();
  return page;
}

test("the owner invites an admin and a viewer; roles hold; the audit log shows it", async ({
  page,
  merchant,
  browser,
}) => {
  test.setTimeout(120_000);
  const suffix = randomBytes(4).toString("hex");
  const adminEmail = `admin-${suffix}@e2e.test`;
  const viewerEmail = `viewer-${suffix}@e2e.test`;

  await signInViaApi(page, merchant);
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Team" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();
  const adminLink = await invite(page, adminEmail, "admin");
  const viewerLink = await invite(page, viewerEmail, "viewer");
  await page.reload();
  await expect(page.getByTestId("invitation-row")).toHaveCount(2);
  // Shown once: the reloaded page lists the invitations without their links.
  await expect(page.getByTestId("invite-link")).toHaveCount(0);

  const adminPage = await accept(browser, adminLink, adminEmail, "Ada Admin");
  const viewerPage = await accept(browser, viewerLink, viewerEmail, "Vic Viewer");

  // Single use: the link is dead once accepted.
  await viewerPage.goto(viewerLink);
  await expect(viewerPage.getByRole("heading", { name: "Invitation not valid" })).toBeVisible();

  // The viewer sees the team but no form, and is told why.
  await viewerPage.goto("/dashboard/team");
  await expect(viewerPage.getByTestId("member-row")).toHaveCount(3);
  await expect(viewerPage.getByTestId("team-read-only")).toContainText("viewer");
  await expect(viewerPage.getByTestId("team-read-only")).toContainText("only the owner");
  await expect(viewerPage.getByRole("button", { name: "Invite member" })).toHaveCount(0);
  await expect(viewerPage.getByText("Change role or remove")).toHaveCount(0);

  // Across the dashboard each role sees only what it can use: the viewer creates nothing, the admin
  // takes payments but neither of them changes where money goes.
  await viewerPage.goto("/dashboard/payments");
  await expect(viewerPage.getByRole("heading", { level: 1, name: "Payments" })).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: "New payment" })).toHaveCount(0);
  await viewerPage.goto("/dashboard/settings");
  await expect(viewerPage.getByTestId("money-routing-owner-only")).toBeVisible();
  await expect(viewerPage.getByTestId("treasury-read-only-local")).toBeVisible();
  await adminPage.goto("/dashboard/payments");
  await expect(adminPage.getByRole("main").getByRole("link", { name: "New payment" })).toBeVisible();
  await expect(
    adminPage.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "New payment" }),
  ).toBeVisible();
  await adminPage.goto("/dashboard/settings");
  await expect(adminPage.getByTestId("money-routing-owner-only")).toBeVisible();
  await expect(adminPage.getByTestId("treasury-read-only-local")).toBeVisible();
  await page.goto("/dashboard/settings");
  await expect(page.getByTestId("money-routing-owner-only")).toHaveCount(0);
  await expect(page.getByTestId("treasury-read-only-local")).toHaveCount(0);
  await page.goto("/dashboard/team");

  // The admin cannot invite either.
  await adminPage.goto("/dashboard/team");
  await expect(adminPage.getByTestId("team-read-only")).toContainText("admin");
  await expect(adminPage.getByRole("button", { name: "Invite member" })).toHaveCount(0);

  // Made owner, the admin gets the forms; demoted again, its open form is refused by the server.
  await page.reload();
  const adminRow = page.getByTestId("member-row").filter({ hasText: adminEmail });
  await adminRow.getByText("Change role or remove").click();
  await adminRow.getByLabel(`New role for ${adminEmail}`).selectOption("owner");
  await adminRow.getByLabel("Confirm").check();
  await adminRow.getByRole("button", { name: "Change role" }).click();
  await expect(page.getByRole("status")).toContainText("Role changed");
  await expect(roleCell(page, adminEmail)).toHaveText("owner");
  await adminPage.reload();
  await expect(adminPage.getByRole("button", { name: "Invite member" })).toBeVisible();

  const demotedRow = page.getByTestId("member-row").filter({ hasText: adminEmail });
  await demotedRow.getByText("Change role or remove").click();
  await demotedRow.getByLabel(`New role for ${adminEmail}`).selectOption("admin");
  await demotedRow.getByLabel("Confirm").check();
  await demotedRow.getByRole("button", { name: "Change role" }).click();
  await expect(roleCell(page, adminEmail)).toHaveText("admin");

  await adminPage.getByLabel("Email", { exact: true }).fill(`sneaky-${suffix}@e2e.test`);
  await adminPage.getByRole("button", { name: "Invite member" }).click();
  const refusal = adminPage.getByRole("alert").filter({ hasText: "does not allow" });
  await expect(refusal).toContainText("Your role (admin) does not allow this");
  await expect(refusal).toContainText("team:write");
  await expect(adminPage.getByTestId("invite-link")).toHaveCount(0);

  // The audit log, as the owner: invitations, joins, sign-ins and the role changes, with who did them.
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  const rows = page.getByTestId("audit-row");
  const row = (action: string, text: string) => rows.filter({ hasText: action }).filter({ hasText: text });
  await expect(row("Member invited", adminEmail)).toHaveCount(1);
  await expect(row("Member invited", viewerEmail)).toHaveCount(1);
  await expect(row("Member invited", adminEmail)).toContainText(merchant.email);
  await expect(row("Member joined", adminEmail)).toHaveCount(1);
  await expect(row("Member joined", viewerEmail)).toHaveCount(1);
  await expect(row("Signed in", adminEmail)).toHaveCount(1);
  await expect(row("Signed in", viewerEmail)).toHaveCount(1);
  await expect(row("Signed in", merchant.email)).toHaveCount(1);
  await expect(row("Role changed", "to: owner")).toHaveCount(1);
  await expect(row("Role changed", "to: admin")).toHaveCount(1);
  await expect(rows.filter({ hasText: `sneaky-${suffix}` })).toHaveCount(0);

  // The filter narrows to one action.
  await page.getByLabel("Action").selectOption("member.joined");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(rows).toHaveCount(2);

  await adminPage.context().close();
  await viewerPage.context().close();
});
