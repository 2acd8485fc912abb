// Balance settlement, payouts and refunds in the dashboard, with real ETH moved on the e2e gateway's
// Anvil devnet: payments are swept into the merchant's hot wallet by the gateway's own jobs, payouts
// created and approved in the UI are signed and confirmed by its payout runner, and every figure the
// pages show is checked against the chain.
import type { APIRequestContext, Page } from "@playwright/test";
import { hash } from "argon2";
import { formatEther, type Hex, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { newId } from "@/lib/ids";
import { withWrongChecksum } from "@/lib/testing/addresses";
import { hotWalletAddress } from "@/lib/wallet/derivation";
import { chooseBalanceMode, confirmInDialog, PASSWORD_LABEL } from "./confirm-dialog";
import { fundedPayer, publicClient } from "./devnet";
import { createPaymentViaApi, expect, signInViaApi, type TestMerchant, test } from "./fixtures";

test.use({
  failOnBrowserErrors: true,
  allowedBrowserErrors: [/Failed to load resource: the server responded with a status of 404/],
});

async function statusOf(request: APIRequestContext, merchant: TestMerchant, id: string): Promise<string> {
  const response = await request.get(`/api/v1/payments/${id}`, { headers: merchant.auth });
  return ((await response.json()) as { status: string }).status;
}

/** Reloads the payout page until its status badge reads `status`. */
async function expectPayoutStatus(page: Page, status: string) {
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("payout-status")).toHaveText(status);
  }).toPass({ timeout: 30_000 });
}

/** The ETH balance the balances page shows, which must be what the hot wallet holds on chain. */
async function expectBalanceMatchesHotWallet(page: Page, hotWallet: Hex) {
  await page.goto("/dashboard/balances");
  const onChain = await publicClient.getBalance({ address: hotWallet });
  expect(onChain).toBeGreaterThan(0n);
  await expect(page.getByTestId("balance-local-ETH").getByTestId("balance-available")).toHaveText(
    `${formatEther(onChain)} ETH`,
  );
  return onChain;
}

test("balance mode in settings → payments settle into the balance → payouts approved, rejected and a refund, all checked on chain", async ({
  page,
  request,
  merchant,
  otherMerchant,
  db,
}) => {
  test.setTimeout(150_000);
  await signInViaApi(page, merchant);

  // Settings: balance mode for the local chain, and a per-payout limit on ETH.
  await chooseBalanceMode(page, merchant.password);
  const limits = page.getByTestId("limits-local-ETH");
  await limits.getByLabel("Max per payout (ETH on local)").fill("0.5.1");
  await limits.getByRole("button", { name: "Save ETH limits on local" }).click();
  await confirmInDialog(page, "Confirm and save", { [PASSWORD_LABEL]: merchant.password });
  await expect(limits.locator("#limits-local-ETH-max_per_payout-error")).toContainText(
    "without thousands separators, with one decimal mark",
  );
  await limits.getByLabel("Max per payout (ETH on local)").fill("0.02");
  await limits.getByRole("button", { name: "Save ETH limits on local" }).click();
  await confirmInDialog(page, "Confirm and save", { [PASSWORD_LABEL]: merchant.password });
  await expect(limits.getByRole("status")).toHaveText("ETH limits on local saved.");
  await page.reload();
  await expect(page.getByTestId("treasury-local")).toContainText("Mode: balance");
  await expect(page.getByLabel("Max per payout (ETH on local)")).toHaveValue("0.02");

  // Two payments paid with real ETH, one of them overpaid; the gateway sweeps both into the hot wallet.
  const sale = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.05" });
  const over = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.02" });
  const pay = await fundedPayer();
  await pay(sale.address, "0.05");
  await pay(over.address, "0.03");
  for (const id of [sale.id, over.id])
    await expect.poll(() => statusOf(request, merchant, id), { timeout: 60_000 }).toBe("settled");
  const { depositXpub } = await db.merchant.findUniqueOrThrow({
    where: { id: merchant.merchantId },
    select: { depositXpub: true },
  });
  const hotWallet = hotWalletAddress(depositXpub);

  // The balance is exactly what the sweeps moved into the hot wallet (deposits minus sweep gas).
  const settled = await expectBalanceMatchesHotWallet(page, hotWallet);
  const ledger = page.getByTestId("balance-transaction-row");
  await expect(ledger.filter({ hasText: "payment settled" })).toHaveCount(2);
  await expect(ledger.filter({ hasText: sale.id })).toHaveCount(1);
  // Each credit says what it is net of: the 0.05 ETH sent, less its sweep's gas (from the receipt)
  // and the unspent gas reserve left at the deposit address.
  const saleSweep = await db.sweep.findFirstOrThrow({
    where: { paymentId: sale.id },
    select: { txHash: true },
  });
  const sweepReceipt = await publicClient.getTransactionReceipt({ hash: saleSweep.txHash as Hex });
  const saleFee =
    sweepReceipt.gasUsed * sweepReceipt.effectiveGasPrice +
    (await publicClient.getBalance({ address: sale.address as Hex }));
  await expect(ledger.filter({ hasText: sale.id }).getByTestId("balance-transaction-split")).toHaveText(
    `net of 0.05 ETH gross − ${formatEther(saleFee)} ETH fee`,
  );
  await expect(ledger.filter({ hasText: sale.id }).getByTestId("balance-transaction-amount")).toContainText(
    `${formatEther(parseEther("0.05") - saleFee)} ETH`,
  );

  // New payout: the service's validation shows on the fields, then a valid one waits for approval.
  const recipient = privateKeyToAddress(generatePrivateKey());
  await page.getByRole("link", { name: "New payout" }).click();
  await expect(page.getByTestId("payout-available")).toContainText(`${formatEther(settled)} ETH on local`);
  await page.getByLabel("Chain").selectOption("local");
  await page.getByLabel("Token").selectOption("ETH");
  await page.getByLabel("Amount").fill("0.03");
  await page.getByLabel("Recipient address", { exact: true }).fill(withWrongChecksum(recipient));
  await page.getByRole("button", { name: "Create payout" }).click();
  await expect(page.locator("#address-error")).toContainText("does not match its checksum");
  // What was typed survives the error (React resets a form after its action).
  await expect(page.getByLabel("Amount")).toHaveValue("0.03");
  await expect(page.getByLabel("Token")).toHaveValue("ETH");
  // All lower-case: no checksum protects it, so its last 4 characters are typed again.
  await page.getByLabel("Recipient address", { exact: true }).fill(recipient.toLowerCase());
  const lastFour = page.locator("#payout-address_confirm");
  await lastFour.fill(recipient.slice(-4) === "0000" ? "1111" : "0000");
  await page.getByRole("button", { name: "Create payout" }).click();
  await expect(page.locator("#payout-address_confirm-error")).toHaveText(
    "These are not the address's last 4 characters: check the address you entered.",
  );
  await expect(page.getByLabel("Recipient address", { exact: true })).toHaveValue(recipient.toLowerCase());
  await lastFour.fill(recipient.slice(-4));
  await page.getByRole("button", { name: "Create payout" }).click();
  await expect(page.locator("#amount-error")).toHaveText("exceeds your per-payout limit of 0.02 ETH");
  // The confirmed last 4 survive the amount's error: fixing the amount is enough.
  await expect(lastFour).toHaveValue(recipient.slice(-4));
  await expect(page.getByLabel("Amount")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Amount").fill("0.01");
  await page.getByLabel("Description (optional, for your records)").fill("supplier invoice 7");
  await page.getByRole("button", { name: "Create payout" }).click();
  await expect(page).toHaveURL(/\/dashboard\/payouts\/po_[0-9A-Za-z]{22}\?notice=created$/);
  const payoutUrl = new URL(page.url()).pathname;
  await expect(page.getByTestId("payout-status")).toHaveText("pending approval");
  await expect(page.getByTestId("payout-timeline")).toContainText("waiting for the owner's approval");

  // The owner approves; the gateway's runner sends it; the recipient holds exactly the amount.
  await page.getByRole("button", { name: "Approve payout" }).click();
  await expect(page.getByTestId("confirm-recipient")).toHaveText(recipient);
  await confirmInDialog(page, "Approve and send 0.01 ETH");
  await expect(page.getByRole("status").filter({ hasText: "Payout approved" })).toBeVisible();
  await expectPayoutStatus(page, "confirmed");
  expect(await publicClient.getBalance({ address: recipient })).toBe(10_000_000_000_000_000n);
  const payoutTx = ((await page.getByTestId("payout-tx").textContent()) ?? "") as Hex;
  const receipt = await publicClient.getTransactionReceipt({ hash: payoutTx });
  expect(receipt.status).toBe("success");
  expect(receipt.to?.toLowerCase()).toBe(recipient.toLowerCase());
  const fee = receipt.gasUsed * receipt.effectiveGasPrice;
  await expect(page.getByTestId("payout-fee")).toHaveText(`${formatEther(fee)} ETH`);
  const payoutLedger = page.locator('[data-testid="balance-transaction-row"]');
  await expect(payoutLedger.and(page.locator('[data-type="payout"]'))).toContainText("-0.01 ETH");
  await expect(payoutLedger.and(page.locator('[data-type="payout_fee"]')).first()).toBeVisible();

  // Ledger = chain after the payout: balance = settled - amount - fee, what the hot wallet holds.
  const afterPayout = await expectBalanceMatchesHotWallet(page, hotWallet);
  expect(afterPayout).toBe(settled - 10_000_000_000_000_000n - fee);
  await page.getByLabel("Type").selectOption("payout_fee");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/type=payout_fee/);
  await expect(ledger.first()).toContainText("payout fee");
  await expect(ledger.filter({ hasNotText: "payout fee" })).toHaveCount(0);

  // A rejected payout returns its amount: the balance is back where it was.
  await page.goto("/dashboard/payouts/new");
  await page.getByLabel("Token").selectOption("ETH");
  await page.getByLabel("Amount").fill("0.005");
  await page.getByLabel("Recipient address", { exact: true }).fill(recipient);
  await page.getByRole("button", { name: "Create payout" }).click();
  await expect(page.getByTestId("payout-status")).toHaveText("pending approval");
  // An admin of the merchant sees the payout but cannot review it: only the owner approves or rejects.
  const admin = { email: `admin-${merchant.merchantId}@e2e.test`.toLowerCase(), password: "e2e-password" };
  await db.user.create({
    data: {
      id: newId("usr"),
      merchantId: merchant.merchantId,
      email: admin.email,
      passwordHash: await hash(admin.password, { type: 2 }),
      role: "admin",
    },
  });
  await signInViaApi(page, admin);
  await page.reload();
  await expect(page.getByText("This payout waits for the account owner's approval.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Reject payout" })).toHaveCount(0);
  await signInViaApi(page, merchant);
  await page.reload();
  await page.getByRole("button", { name: "Reject payout" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Payout rejected" })).toBeVisible();
  await expect(page.getByTestId("payout-status")).toHaveText("rejected");
  await expect(page.getByRole("button", { name: "Approve payout" })).toHaveCount(0);
  await expect(
    page.locator('[data-testid="balance-transaction-row"][data-type="payout_reversed"]'),
  ).toContainText("0.005 ETH");
  expect(await expectBalanceMatchesHotWallet(page, hotWallet)).toBe(afterPayout);

  // The payouts list shows both with their status.
  await page.goto("/dashboard/payouts");
  await expect(page.getByTestId("payout-row")).toHaveCount(2);
  await page.getByLabel("Status").selectOption("rejected");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("payout-row")).toHaveCount(1);
  await expect(page.getByTestId("payout-row")).toContainText("0.005 ETH");

  // Refund of the overpaid part from the payment's page, approved and paid on chain.
  const customer = privateKeyToAddress(generatePrivateKey());
  await page.goto(`/dashboard/payments/${over.id}`);
  const refunds = page.getByTestId("refunds");
  await expect(refunds).toContainText("No refunds.");
  await refunds.getByRole("button", { name: "Refund the overpaid part (0.01 ETH)" }).click();
  await expect(refunds.getByLabel("Amount in ETH (optional)")).toHaveValue("0.01");
  await refunds.getByLabel("Refund to address (EIP-55 checksummed)").fill(customer);
  await refunds.getByRole("button", { name: "Refund", exact: true }).click();
  await expect(page.getByTestId("confirm-amount")).toHaveText("0.01 ETH");
  await confirmInDialog(page, "Confirm refund");
  await expect(page).toHaveURL(/\/dashboard\/payouts\/po_[0-9A-Za-z]{22}\?notice=refund-created$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Refund of 0.01 ETH");
  await page.getByRole("button", { name: "Approve payout" }).click();
  await confirmInDialog(page, "Approve and send 0.01 ETH");
  // The approval has landed before the status is polled by reloading the page.
  await expect(page.getByRole("status").filter({ hasText: "Payout approved" })).toBeVisible();
  await expectPayoutStatus(page, "confirmed");
  expect(await publicClient.getBalance({ address: customer })).toBe(10_000_000_000_000_000n);
  await page.goto(`/dashboard/payments/${over.id}`);
  await expect(refunds.getByTestId("payout-row")).toContainText("0.01 ETH");
  await expect(refunds.getByTestId("payout-status")).toHaveText("confirmed");
  await expect(refunds.getByLabel("Amount in ETH (optional)")).toHaveAttribute("placeholder", "0.02");
  await expectBalanceMatchesHotWallet(page, hotWallet);

  // Another merchant: the payout's URL is a 404, and its own payment (treasury mode) explains why no refund.
  await signInViaApi(page, otherMerchant);
  const response = await page.goto(payoutUrl);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Payout not found" })).toBeVisible();
  await expect(page.getByText(recipient)).toHaveCount(0);
  const theirs = await createPaymentViaApi(request, otherMerchant, { chain: "local", amount: "0.01" });
  await page.goto(`/dashboard/payments/${theirs.id}`);
  await expect(page.getByTestId("refund-unavailable")).toHaveAttribute("data-reason", "treasury_mode");
  await expect(page.getByTestId("refund-unavailable")).toContainText("not in balance settlement mode");
  await expect(page.getByRole("button", { name: "Refund", exact: true })).toHaveCount(0);
  await page.goto("/dashboard/balances");
  await expect(page.getByText("No balance yet.")).toBeVisible();
});

test("the balances, payouts and settings pages work with the keyboard alone and fit a phone screen @phone", async ({
  page,
  merchant,
}) => {
  // Loaded machines: the money-routing confirmation adds a dialog step to this long keyboard walk.
  test.setTimeout(90_000);
  await signInViaApi(page, merchant);
  const recipient = privateKeyToAddress(generatePrivateKey());
  const fillPayoutByKeyboard = async () => {
    await page.goto("/dashboard/payouts/new");
    await page.waitForLoadState("networkidle");
    await page.getByLabel("Token").selectOption("ETH");
    await page.getByLabel("Amount").focus();
    await page.keyboard.type("1");
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Recipient address", { exact: true })).toBeFocused();
    await page.keyboard.type(recipient);
    await page.keyboard.press("Enter");
  };

  // Not in balance mode: the service's refusal is the form's error, nothing is created.
  await fillPayoutByKeyboard();
  await expect(page.getByRole("alert").filter({ hasText: "not in balance settlement mode" })).toBeVisible();

  await page.goto("/dashboard/settings");
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Settlement mode on local").focus();
  await page.getByLabel("Settlement mode on local").selectOption("balance");
  await page.getByRole("button", { name: "Save local settlement" }).focus();
  await page.keyboard.press("Enter");
  // The confirmation dialog takes the focus: the password, then Enter confirms.
  await expect(page.getByLabel(PASSWORD_LABEL)).toBeFocused();
  await page.keyboard.type(merchant.password);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "balance mode" })).toBeVisible();
  const save = page.getByRole("button", { name: "Save USDC limits on local" });
  // The closing dialog hands the focus back to its opener: focus again until the limits button keeps it.
  await expect
    .poll(async () => {
      await save.focus();
      return save.evaluate((element) => getComputedStyle(element).outlineStyle);
    })
    .toBe("solid");

  // Balance mode with nothing in it: the amount is refused on its field.
  await fillPayoutByKeyboard();
  await expect(page.locator("#amount-error")).toHaveText("exceeds the available balance of 0 ETH");
  await expect(page.getByLabel("Recipient address", { exact: true })).toHaveValue(recipient);

  for (const path of [
    "/dashboard/balances",
    "/dashboard/payouts",
    "/dashboard/payouts/new",
    "/dashboard/settings",
  ]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await page.goto("/dashboard/balances");
  await expect(page.getByText("No balance yet.")).toBeVisible();
  const shot = test.info().outputPath(`dashboard-balances-${test.info().project.name}.png`);
  await page.screenshot({ fullPage: true, path: shot });
  await test
    .info()
    .attach(`dashboard-balances-${test.info().project.name}.png`, { path: shot, contentType: "image/png" });
});
