// Coins a payment does not accept (ETH sent to a USDC-only, USD-priced payment): its page lists
// them and the merchant sends them back to the sender (a bad address is refused on the field), the
// sweeper returning them on Anvil.
import { getAddress } from "viem";
import { confirmInDialog } from "./confirm-dialog";
import { fundedPayer, publicClient } from "./devnet";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

test("a transfer in a coin the payment does not accept is sent back from its page", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(120_000);
  await signInViaApi(page, merchant);
  const payment = await createPaymentViaApi(request, merchant, {
    price: { amount: "20.00", currency: "USD" },
    accepts: [{ chain: "local", token: "USDC" }],
  });
  const pay = await fundedPayer();
  const hash = await pay(payment.address, "0.001");
  const sender = getAddress((await publicClient.getTransaction({ hash })).from);
  const unattributed = async () => {
    const response = await request.get(`/api/v1/payments/${payment.id}`, { headers: merchant.auth });
    return (await response.json()).unattributed_transfers ?? [];
  };
  await expect.poll(async () => (await unattributed()).length, { timeout: 30_000 }).toBe(1);

  await page.goto(`/dashboard/payments/${payment.id}`);
  const section = page.getByTestId("unattributed-transfers");
  await expect(section.getByRole("heading", { name: "Coins this payment does not accept" })).toBeVisible();
  const row = section.getByTestId("unattributed-transfer");
  await expect(row).toContainText("0.001 ETH");
  await expect(row.getByTestId("unattributed-outcome")).toHaveText("Waiting for your decision.");
  const address = row.getByLabel("Send back to address");
  // The sender is offered; a typo is refused on the field and the row stays open.
  await expect(address).toHaveValue(sender);
  await address.fill("0x1234");
  await row.getByRole("button", { name: "Send back", exact: true }).click();
  await confirmInDialog(page, "Send back");
  await expect(row.locator(".form-error").first()).toContainText("starts with 0x");
  await expect(address).toHaveValue("0x1234");

  await address.fill(sender);
  await row.getByRole("button", { name: "Send back", exact: true }).click();
  await confirmInDialog(page, "Send back");
  await expect(page.getByRole("status").filter({ hasText: "Transfer refunded" })).toBeVisible();
  await expect(page.getByTestId("unattributed-outcome")).toContainText(sender);

  const before = await publicClient.getBalance({ address: sender });
  await expect
    .poll(async () => (await unattributed())[0]?.sweep?.status, { timeout: 60_000 })
    .toBe("confirmed");
  expect(await publicClient.getBalance({ address: sender })).toBeGreaterThan(before);
  await page.reload();
  await expect(page.getByTestId("unattributed-outcome")).toHaveText(`Sent back to ${sender}.`);
  await expect(page.getByTestId("unattributed-transfer").getByRole("button", { name: "Keep" })).toHaveCount(
    0,
  );
});
