// Issue 23 point 6: filtered-empty vs empty lists, prefix/case-insensitive search, date validation,
// pagination that keeps every filter, current-page nav, the phone menu and cards, no overflow at
// 1280 px, and status badges at WCAG AA contrast.
import type { Page } from "@playwright/test";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

async function attachShot(page: Page, name: string) {
  const path = test.info().outputPath(`${name}-${test.info().project.name}.png`);
  await page.screenshot({ fullPage: true, path });
  await test.info().attach(`${name}-${test.info().project.name}.png`, { path, contentType: "image/png" });
}

/** The lowest contrast ratio of any status badge's text on its background (WCAG formula). */
async function lowestBadgeContrast(page: Page): Promise<number> {
  return page.evaluate(() => {
    const luminance = (color: string) => {
      const [r, g, b] = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
        const c = Number(part) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const ratios = [...document.querySelectorAll(".badge")].map((badge) => {
      const style = getComputedStyle(badge);
      const [high, low] = [luminance(style.color), luminance(style.backgroundColor)].sort((a, b) => b - a);
      return ((high ?? 0) + 0.05) / ((low ?? 0) + 0.05);
    });
    return Math.min(...ratios);
  });
}

test("payments: empty state, prefix search, clear filters, date error and filters kept across pages", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/payments");
  await expect(page.getByTestId("empty-list")).toHaveText("No payments yet.");
  await expect(
    page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Payments", exact: true }),
  ).toHaveAttribute("aria-current", "page");

  const first = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "1",
    order_id: "Shop-Alpha-1",
  });
  for (let index = 0; index < 26; index++)
    await createPaymentViaApi(request, merchant, { chain: "local", amount: "2", order_id: `page-${index}` });

  // Prefix and any letter case, on order id, payment id and address.
  await page.getByLabel(/^Search by payment id/).fill("shop-alpha");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("payment-row")).toHaveCount(1);
  await expect(page.getByTestId("payment-row")).toContainText(first.id);
  await page
    .getByLabel(/^Search by payment id/)
    .fill(first.address.slice(0, 12).toUpperCase().replace("0X", "0x"));
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("payment-row")).toHaveCount(1);

  // No match: said so, with a way back (not "No payments yet").
  await page.getByLabel(/^Search by payment id/).fill("no-such-order");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("empty-list")).toContainText("No payments match these filters.");
  await attachShot(page, "payments-no-match");
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/dashboard\/payments$/);
  await expect(page.getByTestId("payment-row")).toHaveCount(25);

  // "From" after "to": a field error, not an empty list.
  await page.getByLabel("Created from (UTC)").fill("2026-12-07");
  await page.getByLabel("Created to (UTC)").fill("2026-12-01");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator("#from-error")).toContainText("The start date is after the end date");
  await expect(page.getByLabel("Created from (UTC)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("payment-row")).toHaveCount(0);

  // Every filter survives Next and First page.
  await page.goto("/dashboard/payments?q=PAGE-&status=pending&chain=local");
  await expect(page.getByTestId("payment-row")).toHaveCount(25);
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(page).toHaveURL(/q=PAGE-/);
  await expect(page).toHaveURL(/status=pending/);
  await expect(page).toHaveURL(/chain=local/);
  await expect(page.getByTestId("payment-row")).toHaveCount(1);
  await expect(page.getByLabel("Status")).toHaveValue("pending");
  const firstPage = page.getByRole("link", { name: "← First page" });
  await expect(firstPage).toHaveAttribute("href", /q=PAGE-/);
  await expect(firstPage).toHaveAttribute("href", /status=pending/);
  await expect(firstPage).toHaveAttribute("href", /chain=local/);
  await expect(firstPage).not.toHaveAttribute("href", /after=/);
  await firstPage.click();
  await expect(page.getByTestId("payment-row")).toHaveCount(25);

  // Badges at AA (4.5:1), and no horizontal overflow at 1280 px on the list pages.
  expect(await lowestBadgeContrast(page)).toBeGreaterThanOrEqual(4.5);
  for (const path of [
    "/dashboard/payments",
    "/dashboard/payouts",
    "/dashboard/balances",
    "/dashboard/webhooks",
  ]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await page.goto("/dashboard/payouts?status=failed");
  await expect(page.getByTestId("empty-list")).toContainText("No payouts match these filters.");
  await page.goto("/dashboard/payouts");
  await expect(page.getByTestId("empty-list")).toHaveText("No payouts yet.");
  await attachShot(page, "payments-list");
});

test("on a phone: a Menu disclosure for the nav and payments as cards with their status @phone", async ({
  page,
  request,
  merchant,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await createPaymentViaApi(request, merchant, { chain: "local", amount: "3", order_id: "phone-1" });
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/payments");
  await page.waitForLoadState("networkidle");
  const nav = page.getByRole("navigation", { name: "Dashboard" });
  const menu = nav.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav.getByRole("link", { name: "Webhooks" })).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link", { name: "Payments", exact: true })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await attachShot(page, "phone-menu");
  await menu.click();

  // The status is on screen in the card, and nothing scrolls sideways.
  const status = page.getByTestId("payment-row").first().getByTestId("payment-status");
  await status.scrollIntoViewIfNeeded();
  await expect(status).toBeInViewport();
  const box = await status.boundingBox();
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await attachShot(page, "phone-payments-cards");

  // Keyboard: the menu opens with Enter and a link is reached with Tab.
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("Tab");
  await expect(nav.getByRole("link", { name: "Overview" })).toBeFocused();
});

test("the payments list updates live: a payment canceled elsewhere shows canceled without a reload", async ({
  page,
  request,
  merchant,
}) => {
  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "4",
    order_id: "live-1",
  });
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/payments");
  const row = page.getByTestId("payment-row").filter({ hasText: payment.id });
  await expect(row.getByTestId("payment-status")).toHaveText("pending");
  // Typed but not applied: a refresh must not wipe it.
  await page.getByLabel(/^Search by payment id/).fill("typed");
  const canceled = await request.post(`/api/v1/payments/${payment.id}/cancel`, { headers: merchant.auth });
  expect(canceled.status()).toBe(200);
  await expect(row.getByTestId("payment-status")).toHaveText("canceled", { timeout: 20_000 });
  await expect(page.getByLabel(/^Search by payment id/)).toHaveValue("typed");
  await attachShot(page, "payments-live");
});
