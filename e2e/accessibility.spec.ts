// Issue 23 point 7: an axe-core scan of every dashboard page (signed in) and the public pages
// (checkout in the states we can produce, sign-in, sign-up) at desktop and phone sizes; serious or
// critical violations fail. And the main flows with the keyboard alone.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

async function seriousViolations(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      path,
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
    }));
}

test("every dashboard and public page passes axe with no serious or critical violation @phone", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(240_000);
  const pending = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "1.5",
    order_id: "axe-1",
  });
  const canceled = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "2",
    order_id: "axe-2",
  });
  expect(
    (await request.post(`/api/v1/payments/${canceled.id}/cancel`, { headers: merchant.auth })).status(),
  ).toBe(200);
  const endpoint = await (
    await request.post("/api/v1/webhook-endpoints", {
      headers: merchant.auth,
      data: { url: "http://127.0.0.1:9/hook" },
    })
  ).json();

  const publicPaths = ["/", "/sign-in", "/sign-up", `/pay/${pending.id}`, `/pay/${canceled.id}`];
  const violations = [];
  for (const path of publicPaths) violations.push(...(await seriousViolations(page, path)));

  await signInViaApi(page, merchant);
  const dashboardPaths = [
    "/dashboard",
    "/dashboard/payments",
    "/dashboard/payments?q=no-such-thing",
    `/dashboard/payments/${pending.id}`,
    "/dashboard/payments/new",
    "/dashboard/balances",
    "/dashboard/payouts",
    "/dashboard/payouts/new",
    "/dashboard/webhooks",
    `/dashboard/webhooks/${endpoint.id}`,
    "/dashboard/api-keys",
    "/dashboard/settings",
    "/dashboard/team",
    "/dashboard/audit-log",
    "/dashboard/notifications",
    "/dashboard/account",
  ];
  for (const path of dashboardPaths) violations.push(...(await seriousViolations(page, path)));
  await test.info().attach(`axe-violations-${test.info().project.name}.json`, {
    body: JSON.stringify(violations, null, 2),
    contentType: "application/json",
  });
  expect(violations).toEqual([]);
});

test("the main dashboard flow works with the keyboard alone: nav, filters, open a payment", async ({
  page,
  request,
  merchant,
}) => {
  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "5",
    order_id: "kbd-1",
  });
  await signInViaApi(page, merchant);
  await page.goto("/dashboard");
  await page.waitForLoadState("networkidle");
  // Tab from the top of the page to the nav's Payments link, then Enter.
  const paymentsLink = page
    .getByRole("navigation", { name: "Dashboard" })
    .getByRole("link", { name: "Payments", exact: true });
  for (let presses = 0; presses < 10; presses++) {
    await page.keyboard.press("Tab");
    if (await paymentsLink.evaluate((link) => link === document.activeElement)) break;
  }
  await expect(paymentsLink).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/dashboard\/payments$/);
  await page.waitForLoadState("networkidle");

  // The search field, typed and submitted with Enter.
  const search = page.getByLabel(/^Search by payment id/);
  await search.focus();
  await page.keyboard.type("KBD-");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/q=KBD-/);
  await expect(page.getByTestId("payment-row")).toHaveCount(1);

  // The status filter with the keyboard, then Apply.
  await page.getByLabel("Status").focus();
  await page.keyboard.press("ArrowDown");
  await page.getByRole("button", { name: "Apply" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/status=/);
  await page.goto("/dashboard/payments?q=kbd-");
  await page.waitForLoadState("networkidle");

  // Open the payment from its row.
  const link = page.getByRole("link", { name: payment.id });
  await link.focus();
  const outline = await link.evaluate((element) => getComputedStyle(element).outlineStyle);
  expect(outline).toBe("solid");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/dashboard/payments/${payment.id}$`));
  await expect(page.getByTestId("payment-id")).toHaveText(payment.id);
});
