// Issue 21, the merchant's side: accepted coins and quote window in Settings (a refused value keeps
// what was typed), a payment priced in USD created in the dashboard, paid in ETH on the devnet, its
// fiat value in the payments list, the overview's total in the display currency, and both the coin
// amounts and the fiat columns in the CSV.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { fundedPayer } from "./devnet";
import { expect, signInViaApi, test } from "./fixtures";

/** The page as it is now (e.g. a form showing its errors) has no serious or critical axe violation. */
async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

test.use({ failOnBrowserErrors: true });

test("the merchant narrows the accepted coins, prices a payment in USD and sees its fiat value", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(150_000);
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/settings");
  const settings = page.getByRole("form", { name: "Prices in fiat" });
  await expect(settings.getByLabel("USDC on Local devnet")).toBeChecked();
  await settings.getByLabel(/^Quote window/).fill("10");
  await settings.getByLabel("USDC on Local devnet").uncheck();
  await settings.getByLabel(/^Underpayment tolerance/).fill("12");
  await settings.getByRole("button", { name: "Save fiat settings" }).click();
  // One plain message on the field at fault; everything typed is kept.
  await expect(page.locator("#underpayment_tolerance-error")).toHaveText("At most 10 percent.");
  await expect(settings.getByLabel(/^Underpayment tolerance/)).toHaveValue("12");
  await expect(settings.getByLabel(/^Quote window/)).toHaveValue("10");
  await expect(settings.getByLabel("USDC on Local devnet")).not.toBeChecked();
  await expectAccessible(page);
  await settings.getByLabel(/^Underpayment tolerance/).fill("0.5");
  await settings.getByRole("button", { name: "Save fiat settings" }).click();
  await expect(settings.getByRole("status")).toHaveText("Settings saved.");
  const saved = await request.get("/api/v1/settings/quotes", { headers: merchant.auth });
  expect(await saved.json()).toMatchObject({
    quote_ttl: 600,
    underpayment_tolerance: "0.50",
    accepted_coins: [{ chain: "local", token: null }],
    display_currency: "USD",
  });

  // A payment priced in USD: only the accepted coin is offered.
  await page.goto("/dashboard/payments/new");
  await page.getByLabel("Price in fiat (the payer chooses the coin)").check();
  await expect(page.getByLabel("ETH on Local devnet")).toBeVisible();
  await expect(page.getByLabel("USDC on Local devnet")).toHaveCount(0);
  await page.getByLabel("Price", { exact: true }).fill("abc");
  await page.getByRole("button", { name: "Create payment" }).click();
  await expect(page.locator("#price_amount-error")).toHaveText("Enter a positive number, for example 12.50.");
  await expect(page.getByLabel("Price", { exact: true })).toHaveValue("abc");
  await expect(page.getByLabel("Price in fiat (the payer chooses the coin)")).toBeChecked();
  await expectAccessible(page);
  await page.getByLabel("Price", { exact: true }).fill("30.00");
  await page.getByLabel("Order id (optional)").fill("fiat-e2e-1");
  await page.getByRole("button", { name: "Create payment" }).click();
  await expect(page).toHaveURL(/\/dashboard\/payments\/pay_\w+\?created=1/);
  await expect(page.getByTestId("fiat-summary")).toContainText("Priced at 30.00 USD");
  const id = new URL(page.url()).pathname.split("/").at(-1) ?? "";

  const payment = await (await request.get(`/api/v1/payments/${id}`, { headers: merchant.auth })).json();
  expect(payment.options).toHaveLength(1);
  expect(payment.options[0]).toMatchObject({ token: { symbol: "ETH" }, amount: "0.01" }); // 30 USD at 3000
  expect(Date.parse(payment.options[0].quote_expires_at) - Date.parse(payment.created_at)).toBe(600_000);

  const pay = await fundedPayer();
  await pay(payment.address, "0.01");
  const row = page.getByTestId("payment-row").filter({ hasText: id });
  await expect(async () => {
    await page.goto("/dashboard/payments");
    await expect(row.getByTestId("payment-fiat-amount")).toContainText("received 30.00 USD", {
      timeout: 2_000,
    });
  }).toPass({ timeout: 60_000 });
  await expect(row).toContainText("30.00 USD");
  await expect(row).toContainText("0.01 ETH on local");

  const csv = await page.request.get("/dashboard/payments/export.csv?q=fiat-e2e-1");
  const [header, line] = (await csv.text()).trimEnd().split("\r\n");
  expect(header).toContain(",amount,amount_received,");
  expect(header?.endsWith(",price_amount,price_currency,value_received")).toBe(true);
  expect(line).toContain(`${id},`);
  expect(line).toContain(",ETH,0.01,0.01,");
  expect(line?.endsWith(",30.00,USD,30.00")).toBe(true);

  // Once confirmed, the overview counts it in the display currency.
  await expect(async () => {
    await page.goto("/dashboard");
    await expect(page.getByTestId("fiat-total")).toHaveText("30.00 USD", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByTestId("fiat-totals")).toContainText("30.00 USD from payments priced in USD");
  await expectAccessible(page);
});
