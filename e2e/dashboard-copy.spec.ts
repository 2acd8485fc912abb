// Forms that speak plainly and values that are easy to share (issue 23, point 3): one plain
// message per field, never repeated at the top; a Copy button beside every id, address, hash and
// link a merchant shares; the created page leads with "Copy checkout link", its cancel guarded.

import { pendingPayoutViaApi } from "./balance-mode";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

test("new payment: one plain message per field; the created page copies its checkout link first @phone", async ({
  page,
  context,
  merchant,
}, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/payments/new");
  await page.getByLabel("Chain").selectOption("local");
  await page.getByLabel("Token").selectOption("USDC");
  await page.getByLabel("Amount").fill("1.1234567");
  await page.getByRole("button", { name: "Create payment" }).click();
  const message = "This token has at most 6 decimals: enter fewer digits after the decimal mark.";
  await expect(page.locator("#amount-error")).toHaveText(message);
  // Said once, in words: no "amount:" prefix, no copy of it at the top of the form.
  await expect(page.getByText(message)).toHaveCount(1);
  await expect(page.getByText(/amount: /)).toHaveCount(0);
  await expect(page.getByText("Check the highlighted fields.")).toBeVisible();
  await page.getByLabel("Amount").fill("0");
  await page.getByRole("button", { name: "Create payment" }).click();
  await expect(page.locator("#amount-error")).toHaveText("Enter an amount greater than zero.");
  await testInfo.attach(`plain-field-message-${testInfo.project.name}`, {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });

  await page.getByLabel("Amount").fill("12.5");
  await page.getByRole("button", { name: "Create payment" }).click();
  await expect(page).toHaveURL(/\?created=1$/);
  const checkoutUrl = (await page.getByTestId("checkout-link").getAttribute("href")) ?? "";
  const copyLink = page.getByRole("button", { name: "Copy checkout link" }).first();
  await expect(copyLink).toHaveText("Copy checkout link");
  await expect(copyLink).toHaveClass(/(^| )button( |$)/);
  await expect(copyLink).not.toHaveClass(/button-small|button-secondary/);
  // The cancel is there, secondary and guarded, not a lone red button.
  const cancel = page.getByRole("button", { name: "Cancel payment" });
  await expect(cancel).toHaveClass(/button-secondary/);
  await expect(cancel).not.toHaveClass(/button-danger/);
  await copyLink.click();
  await expect(copyLink).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(checkoutUrl);
  await testInfo.attach(`created-page-${testInfo.project.name}`, {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });
});

test("payment and payout pages: every id, address and link has a Copy button that copies it", async ({
  page,
  context,
  request,
  merchant,
  db,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "0.2",
    order_id: "order-copy-1",
  });
  await signInViaApi(page, merchant);
  await page.goto(`/dashboard/payments/${payment.id}`);
  const copies = async (name: string, value: string) => {
    const button = page.getByRole("button", { name, exact: true });
    await button.click();
    await expect(button).toHaveText("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText()), name).toBe(value);
  };
  await copies("Copy payment id", payment.id);
  await copies("Copy deposit address", payment.address);
  await copies("Copy order id", "order-copy-1");
  await copies("Copy checkout link", payment.checkout_url);

  const recipient = "0x000000000000000000000000000000000000dEaD";
  const payout = await pendingPayoutViaApi(request, db, merchant, { amount: "0.1", address: recipient });
  await page.goto(`/dashboard/payouts/${payout.id}`);
  await copies("Copy payout id", payout.id);
  await copies("Copy recipient address", recipient);
});
