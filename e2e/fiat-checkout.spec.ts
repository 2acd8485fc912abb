// A checkout priced in fiat: the payer switches between USDC and ETH (one address, no reload), pays
// the chosen option from an injected wallet and sees it confirm; the merchant sees the fiat value.
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";
import { devnetBalance, injectAnvilWallet } from "./inject-wallet";

test.use({ failOnBrowserErrors: true });

/** 20 USD at the devnet's 3000 USD/ETH, rounded up to the wei. */
const ETH_FOR_20_USD = 6_666_666_666_666_667n;

test("the payer switches between USDC and ETH and pays ETH with the browser wallet", async ({
  page,
  request,
  merchant,
}) => {
  const payment = await createPaymentViaApi(request, merchant, {
    price: { amount: "20.00", currency: "USD" },
    accepts: [{ chain: "local" }, { chain: "local", token: "USDC" }],
  });
  await injectAnvilWallet(page, request);
  await page.goto(`/pay/${payment.id}`);
  await expect(page.getByTestId("checkout-price")).toHaveText("20.00");

  // The first stablecoin is chosen by default, even when it is not the first option.
  await expect(page.getByTestId("option-local:USDC").getByRole("radio")).toBeChecked();
  await expect(page.getByTestId("amount-to-send")).toHaveText("20.00 USDC");
  await expect(page.getByTestId("payment-qr")).toHaveAttribute("data-uri", /\/transfer\?address=/);
  await expect(page.getByTestId("countdown").first()).toHaveText(/^1[45]:\d\d$/);

  await page.getByTestId("option-local:ETH").getByRole("radio").check();
  await expect(page.getByTestId("amount-to-send")).toHaveText("0.006666666666666667 ETH");
  await expect(page.getByTestId("deposit-address")).toHaveText(payment.address);
  await expect(page.getByTestId("payment-qr")).toHaveAttribute(
    "data-uri",
    `ethereum:${payment.address}@31337?value=${ETH_FOR_20_USD}`,
  );

  await page.getByRole("button", { name: "Pay with browser wallet" }).click();
  await page.getByTestId("wallet-pay").click();
  await expect(page.getByTestId("wallet-sent")).toContainText(/0x[0-9a-f]{64}/);
  await expect.poll(() => devnetBalance(request, payment.address), { timeout: 20_000 }).toBe(ETH_FOR_20_USD);
  await expect(page.getByTestId("checkout-status")).toContainText("Payment complete", { timeout: 45_000 });

  const paid = await (await request.get(`/api/v1/payments/${payment.id}`, { headers: merchant.auth })).json();
  expect(paid).toMatchObject({ status: "confirmed", value_received: "20.00", token: { symbol: "ETH" } });

  // The merchant sees the fiat value next to the coin amounts.
  await signInViaApi(page, merchant);
  await page.goto(`/dashboard/payments/${payment.id}`);
  await expect(page.getByTestId("fiat-value-received")).toContainText(
    "Received 20.00 USD (0.006666666666666667 ETH on local)",
  );
});
