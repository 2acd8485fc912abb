// A payment priced in USD and paid half in USDC, half in ETH, settled to the balance: its page
// refunds it coin by coin, the merchant picking the coin, each coin limited to what arrived in it.
import { createWalletClient, getAddress, http, parseEther, parseUnits } from "viem";
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from "viem/accounts";
import { MOCK_USDC_ADDRESS, mockUsdcAbi } from "@/lib/devnet/mock-usdc";
import { chooseBalanceMode, confirmInDialog } from "./confirm-dialog";
import { fundedPayer, publicClient, testClient } from "./devnet";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";
import { anvilRpcUrl } from "./server";

test.use({ failOnBrowserErrors: true });

/** Sends `amount` mock USDC (6 decimals) to `to` from a fresh account that mints it first. */
async function payUsdc(to: string, amount: string) {
  const account = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: account.address, value: parseEther("1") });
  const wallet = createWalletClient({ account, transport: http(anvilRpcUrl) });
  const units = parseUnits(amount, 6);
  const contract = { address: MOCK_USDC_ADDRESS, abi: mockUsdcAbi, chain: null } as const;
  const minted = await wallet.writeContract({
    ...contract,
    functionName: "mint",
    args: [account.address, units],
  });
  await publicClient.waitForTransactionReceipt({ hash: minted });
  const sent = await wallet.writeContract({
    ...contract,
    functionName: "transfer",
    args: [getAddress(to), units],
  });
  await publicClient.waitForTransactionReceipt({ hash: sent });
}

test("a payment paid in USDC and ETH is refunded in the coin the merchant picks", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(120_000);
  await signInViaApi(page, merchant);
  await chooseBalanceMode(page, merchant.password);

  // 30.00 USD: 15 in USDC, then 15 in ETH at the devnet's 3000 USD/ETH.
  const payment = await createPaymentViaApi(request, merchant, {
    price: { amount: "30.00", currency: "USD" },
    accepts: [{ chain: "local", token: "USDC" }, { chain: "local" }],
  });
  await payUsdc(payment.address, "15");
  await (await fundedPayer())(payment.address, "0.005");
  await expect
    .poll(
      async () => {
        const response = await request.get(`/api/v1/payments/${payment.id}`, { headers: merchant.auth });
        return (await response.json()).status;
      },
      { timeout: 60_000 },
    )
    .toBe("settled");

  await page.goto(`/dashboard/payments/${payment.id}`);
  const refunds = page.getByTestId("refunds");
  const coin = refunds.getByLabel("Coin to refund");
  // The payment's own coin (the first one paid) comes first.
  await expect(coin.locator("option")).toHaveText([
    "USDC on Local devnet (local, chain 31337) (up to 15)",
    "ETH on Local devnet (local, chain 31337) (up to 0.005)",
  ]);
  await coin.selectOption({ label: "ETH on Local devnet (local, chain 31337) (up to 0.005)" });
  await expect(refunds.getByLabel("Amount in ETH (optional)")).toBeVisible();
  await refunds.getByLabel("Amount in ETH (optional)").fill("0.006");
  const customer = privateKeyToAddress(generatePrivateKey());
  await refunds.getByLabel("Refund to address (EIP-55 checksummed)").fill(customer);
  await refunds.getByRole("button", { name: "Refund", exact: true }).click();
  await confirmInDialog(page, "Confirm refund");
  // More ETH than arrived in ETH is refused on the field; the coin picked stays picked.
  await expect(refunds.locator("#refund-amount-error")).toContainText("0.005 ETH");
  await expect(coin).toHaveValue("1");

  await refunds.getByLabel("Amount in ETH (optional)").fill("0.002");
  await refunds.getByRole("button", { name: "Refund", exact: true }).click();
  await expect(page.getByTestId("confirm-amount")).toHaveText("0.002 ETH");
  await confirmInDialog(page, "Confirm refund");
  await expect(page).toHaveURL(/\/dashboard\/payouts\/po_[0-9A-Za-z]{22}\?notice=refund-created$/);
  await expect(page.getByTestId("payout-amount")).toContainText("0.002 ETH");

  // Back on the payment: ETH has 0.003 left, USDC all of it.
  await page.goto(`/dashboard/payments/${payment.id}`);
  await expect(coin.locator("option")).toHaveText([
    "USDC on Local devnet (local, chain 31337) (up to 15)",
    "ETH on Local devnet (local, chain 31337) (up to 0.003)",
  ]);
});
