// A partly paid payment is visible as such in the dashboard (issue 23, point 4, display part): a
// "0.15 of 0.4 ETH paid" badge, the amount remaining, and the transfer in the timeline — paid with
// real ETH on the devnet and seen by the gateway's own scanner; then the actions: more time, and an
// underpayment accepted as paid, settled into the balance and partly refunded.
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { chooseBalanceMode, confirmInDialog } from "./confirm-dialog";
import { fundedPayer, testClient } from "./devnet";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

test("a partial payment shows what arrived, what remains and the transfer in its timeline @phone", async ({
  page,
  request,
  merchant,
}, testInfo) => {
  test.setTimeout(90_000);
  const payment = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.4" });
  const pay = await fundedPayer();
  const txHash = await pay(payment.address, "0.15");
  await signInViaApi(page, merchant);
  await expect(async () => {
    await page.goto(`/dashboard/payments/${payment.id}`);
    await expect(page.getByTestId("payment-progress")).toHaveText("0.15 of 0.4 ETH paid", { timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
  await expect(page.getByTestId("amount-remaining")).toHaveText("0.25 ETH");
  const transfer = page.getByTestId("timeline").locator('li[data-kind="transfer"]');
  await expect(transfer).toHaveCount(1);
  await expect(transfer).toContainText("0.15 ETH received");
  await expect(transfer).toContainText(txHash);

  // Point 4's action: the merchant gives the customer a day more, after a summary.
  const utc = (iso: string) => `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} UTC`;
  // Nothing on the page is wider than the phone's screen (a long hash once widened it).
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= screen.width)).toBe(true);
  await page.getByLabel("Extend by").selectOption("1440");
  await page.getByRole("button", { name: "Extend expiry" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(utc(payment.expires_at));
  await expect(dialog).toContainText("0.15 of 0.4 ETH");
  await confirmInDialog(page, "Extend expiry");
  await expect(page.getByRole("status").filter({ hasText: "Expiry extended" })).toBeVisible();
  const later = new Date(new Date(payment.expires_at).getTime() + 24 * 3_600_000).toISOString();
  await expect(page.getByTestId("payment-expires")).toHaveText(utc(later));
  await testInfo.attach(`partial-payment-${testInfo.project.name}`, {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });
});

test("an underpaid payment accepted as paid settles into the balance, and part of what arrived is refunded", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(120_000);
  await signInViaApi(page, merchant);
  await chooseBalanceMode(page, merchant.password);

  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "0.02",
    expires_in: 60,
  });
  await (await fundedPayer())(payment.address, "0.01");
  const current = async () =>
    (await request.get(`/api/v1/payments/${payment.id}`, { headers: merchant.auth })).json();
  await expect.poll(async () => (await current()).transfers.length).toBe(1);
  // Expiry is judged on chain time: move the devnet's clock past it.
  await testClient.increaseTime({ seconds: 120 });
  await testClient.mine({ blocks: 2 });
  await expect
    .poll(
      async () => {
        const now = await current();
        return `${now.status}/${now.exception}/${now.transfers[0]?.confirmations >= 2}`;
      },
      { timeout: 30_000 },
    )
    .toBe("expired/underpaid/true");

  await page.goto(`/dashboard/payments/${payment.id}`);
  const refunds = page.getByTestId("refunds");
  await expect(refunds.getByTestId("refund-unavailable")).toContainText("accept the payment as paid");
  await page.getByRole("button", { name: "Accept as paid" }).click();
  await confirmInDialog(page, "Accept as paid");
  await expect(
    page.getByRole("status").filter({ hasText: "Partial payment accepted as paid" }),
  ).toBeVisible();
  await expect.poll(async () => (await current()).status, { timeout: 60_000 }).toBe("settled");

  await page.reload();
  await expect(refunds.getByText("Empty = everything left to refund: 0.01 ETH.")).toBeVisible();
  await refunds.getByLabel("Amount in ETH (optional)").fill("0.004");
  await refunds
    .getByLabel("Refund to address (EIP-55 checksummed)")
    .fill(privateKeyToAddress(generatePrivateKey()));
  await refunds.getByRole("button", { name: "Refund", exact: true }).click();
  await expect(page.getByTestId("confirm-amount")).toHaveText("0.004 ETH");
  await confirmInDialog(page, "Confirm refund");
  await expect(page).toHaveURL(/\/dashboard\/payouts\/po_[0-9A-Za-z]{22}\?notice=refund-created$/);
  await expect(page.getByTestId("payout-amount")).toContainText("0.004 ETH");
});
