// The payer's side (issue 23, point 2): a receipt once paid (printable), a way back to the store
// from every final state, the tab title, exact locale-aware amounts, the address in groups with its
// Copy button beside it, a prominent countdown, friendly network names, readable brand colours,
// the wallet app first on a phone and the browser-wallet button only when a wallet exists.
import type { Page } from "@playwright/test";
import { contrastRatio } from "@/lib/checkout/brand-contrast";
import { forcePaymentStateForTests } from "@/lib/testing/force-payment-state";
import { fundedPayer } from "./devnet";
import { createPaymentViaApi, expect, test } from "./fixtures";
import { injectAnvilWallet } from "./inject-wallet";

test.use({ failOnBrowserErrors: true });

/** "rgb(1, 2, 3)" → "#010203". */
function hexOf(rgb: string): string {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
  return `#${[r, g, b].map((channel) => channel.toString(16).padStart(2, "0")).join("")}`;
}

async function colorsOf(page: Page, selector: string) {
  return page
    .locator(selector)
    .first()
    .evaluate((element) => {
      const style = getComputedStyle(element);
      return { color: style.color, background: style.backgroundColor };
    });
}

test("checkout: exact grouped amount, title, grouped address with Copy beside it, big countdown, AA brand colours @phone", async ({
  page,
  request,
  merchant,
  db,
}, testInfo) => {
  // A pale yellow brand: white text on it would be unreadable.
  await db.merchant.update({ where: { id: merchant.merchantId }, data: { brandColor: "#fde047" } });
  const { name } = await db.merchant.findUniqueOrThrow({ where: { id: merchant.merchantId } });
  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    token: "USDC",
    amount: "1234567.80",
  });
  await page.goto(`/pay/${payment.id}`);
  await expect(page).toHaveTitle(`1,234,567.80 USDC · ${name}`);
  await expect(page.getByTestId("checkout-amount")).toHaveText("1,234,567.80");
  await expect(page.getByTestId("amount-to-send")).toHaveText("1,234,567.80 USDC");
  await expect(page.getByTestId("checkout-chain")).toHaveText("Local devnet");

  // The address in groups of 4, one text to copy, the button on the same line.
  const address = page.getByTestId("deposit-address");
  await expect(address).toHaveText(payment.address);
  expect(await address.locator("span").allTextContents()).toEqual([
    "0x",
    ...(payment.address.slice(2).match(/.{4}/g) ?? []),
  ]);
  const addressBox = await address.boundingBox();
  const copyBox = await page.getByRole("button", { name: "Copy address" }).boundingBox();
  expect(addressBox && copyBox).toBeTruthy();
  if (addressBox && copyBox) {
    expect(copyBox.x).toBeGreaterThanOrEqual(addressBox.x + addressBox.width - 1);
    expect(copyBox.y).toBeLessThan(addressBox.y + addressBox.height);
  }

  // A countdown you cannot miss.
  const countdown = page.getByTestId("countdown");
  await expect(countdown).toHaveText(/^\d\d:\d\d$/);
  expect(
    Number.parseFloat(await countdown.evaluate((el) => getComputedStyle(el).fontSize)),
  ).toBeGreaterThanOrEqual(24);

  // No wallet in this browser: no browser-wallet button. On a phone the wallet app comes first, in view.
  await expect(page.getByRole("button", { name: "Pay with browser wallet" })).toHaveCount(0);
  const primary = page.getByTestId("open-wallet-primary");
  if (testInfo.project.name === "phone") {
    await expect(primary).toBeInViewport();
    await expect(primary).toHaveAttribute("href", payment.payment_uri);
    const button = await colorsOf(page, '[data-testid="open-wallet-primary"]');
    expect(contrastRatio(hexOf(button.color), hexOf(button.background))).toBeGreaterThanOrEqual(4.5);
  } else await expect(primary).toBeHidden();

  // Brand colours at AA: the store name on the white card.
  const merchantName = await colorsOf(page, '[data-testid="merchant-name"]');
  expect(contrastRatio(hexOf(merchantName.color), "#ffffff")).toBeGreaterThanOrEqual(4.5);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await testInfo.attach(`checkout-yellow-brand-${testInfo.project.name}`, {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });

  // With a wallet (window.ethereum), the browser-wallet button is offered, in the brand at AA.
  await injectAnvilWallet(page, request);
  await page.reload();
  const walletButton = page.getByRole("button", { name: "Pay with browser wallet" });
  await expect(walletButton).toBeVisible();
  const colors = await walletButton.evaluate((element) => {
    const style = getComputedStyle(element);
    return { color: style.color, background: style.backgroundColor };
  });
  expect(contrastRatio(hexOf(colors.color), hexOf(colors.background))).toBeGreaterThanOrEqual(4.5);
});

test("a paid payment shows a printable receipt: amount, transaction, time, order id, merchant @phone", async ({
  page,
  request,
  merchant,
  db,
}, testInfo) => {
  test.setTimeout(90_000);
  const { name } = await db.merchant.findUniqueOrThrow({ where: { id: merchant.merchantId } });
  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "0.5",
    order_id: "order-receipt-1",
  });
  await page.addInitScript(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed += 1;
    };
  });
  await page.goto(`/pay/${payment.id}`);
  await expect(page.getByTestId("receipt")).toHaveCount(0);

  // Paid with real ETH on the devnet; the gateway's scanner detects and confirms it (no sweep: this
  // merchant has no settlement set).
  const pay = await fundedPayer();
  const txHash = await pay(payment.address, "0.5");
  const receipt = page.getByTestId("receipt");
  await expect(receipt).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId("checkout-status")).toContainText("Payment complete");
  await expect(receipt.getByTestId("receipt-amount")).toHaveText("0.50 ETH");
  await expect(receipt.getByTestId("receipt-order")).toHaveText("order-receipt-1");
  await expect(receipt.getByTestId("receipt-time")).toHaveText(/\d{4}.*UTC$/);
  await expect(receipt.getByTestId("receipt-tx")).toContainText(txHash);
  await expect(receipt).toContainText(name);
  await expect(receipt).toContainText(payment.id);
  await receipt.getByRole("button", { name: "Save receipt" }).click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  await testInfo.attach(`receipt-${testInfo.project.name}`, {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });

  // Printed: the receipt stays, the buttons go.
  await page.emulateMedia({ media: "print" });
  await expect(receipt).toBeVisible();
  await expect(receipt.getByRole("button", { name: "Save receipt" })).toBeHidden();
  await testInfo.attach(`receipt-print-${testInfo.project.name}`, {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });
});

test("expired and canceled payments offer the way back to the store when it has a return URL", async ({
  page,
  request,
  merchant,
  db,
}) => {
  const { name } = await db.merchant.findUniqueOrThrow({ where: { id: merchant.merchantId } });
  for (const status of ["expired", "canceled"] as const) {
    const payment = await createPaymentViaApi(request, merchant, {
      chain: "local",
      amount: "0.1",
      redirect_url: "https://shop.example/cart",
    });
    await forcePaymentStateForTests(db, payment.id, { status, expiresAt: new Date(Date.now() - 1_000) });
    await page.goto(`/pay/${payment.id}`);
    const back = page.getByTestId("return-to-store");
    await expect(back).toHaveText(`Return to ${name}`);
    await expect(back).toHaveAttribute("href", "https://shop.example/cart");
  }
  // Without a return URL there is nothing to go back to.
  const plain = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.1" });
  await forcePaymentStateForTests(db, plain.id, { status: "canceled" });
  await page.goto(`/pay/${plain.id}`);
  await expect(page.getByTestId("checkout-status")).toContainText("canceled");
  await expect(page.getByTestId("return-to-store")).toHaveCount(0);
});
