import { expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

test("new payment keeps every value after an error and takes a decimal comma @phone", async ({
  page,
  merchant,
}, testInfo) => {
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/payments/new");
  await page.getByLabel("Chain").selectOption("local");
  await page.getByLabel("Token").selectOption("ETH");
  await page.getByLabel("Amount").fill("1.234,50");
  await page.getByLabel("Order id (optional)").fill("keep-me-order");
  await page.getByRole("button", { name: "Create payment" }).click();

  // One plain message on the field; the token stays ETH and the order id stays typed.
  await expect(page.locator("#amount-error")).toHaveText(/without thousands separators/);
  await expect(page.getByLabel("Token")).toHaveValue("ETH");
  await expect(page.getByLabel("Order id (optional)")).toHaveValue("keep-me-order");
  await expect(page.getByLabel("Amount")).toHaveValue("1.234,50");
  await testInfo.attach("kept-values-after-error", {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });

  await page.getByLabel("Amount").fill("12,50");
  await page.getByRole("button", { name: "Create payment" }).click();
  await expect(page).toHaveURL(/\/dashboard\/payments\/pay_[0-9A-Za-z]{22}\?created=1$/);
  const checkoutUrl = (await page.getByTestId("checkout-link").getAttribute("href")) ?? "";
  await page.goto(checkoutUrl);
  await expect(page.getByTestId("checkout-amount")).toHaveText("12.50");
});
