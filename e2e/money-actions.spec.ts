// Guarded money actions (issue 23, point 1): every action that moves or routes money, or cannot be
// undone, opens a modal confirmation with its summary; Escape and "Go back" change nothing; money
// routing asks for the owner's password again, shows what it will do, refuses a wrong checksum and
// has an address without checksum confirmed by its last 4 characters; limits must agree.
import type { Page, TestInfo } from "@playwright/test";
import { pendingPayoutViaApi } from "./balance-mode";
import { confirmInDialog, LAST_FOUR_LABEL_TEXT, PASSWORD_LABEL } from "./confirm-dialog";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

// A checksummed address, and the same with one letter's case flipped (a typo its checksum catches).
const TREASURY = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const TYPO = "0x8ba1f109551bd432803012645Ac136ddd64DBA72";

async function shot(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(`${name}-${testInfo.project.name}`, {
    body: await page.screenshot({ fullPage: false }),
    contentType: "image/png",
  });
}

test("treasury: wrong checksum refused, no-checksum address confirmed by its last 4, password checked again @phone", async ({
  page,
  merchant,
  db,
}, testInfo) => {
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/settings");
  const input = page.getByLabel("Treasury address on local (31337)");
  const save = page.getByRole("button", { name: "Save local settlement" });
  const dialog = page.getByRole("dialog");
  const audited = () => db.auditLogEntry.count({ where: { merchantId: merchant.merchantId } });
  const saved = () => db.settlementSetting.count({ where: { merchantId: merchant.merchantId } });
  const auditBefore = await audited();

  // A mixed-case address with a wrong checksum: one plain message, never "fixed".
  await input.fill(TYPO);
  await save.click();
  await confirmInDialog(page, "Confirm and save", { [PASSWORD_LABEL]: merchant.password });
  await expect(page.locator("#treasury-local-error")).toHaveText(
    /^This address does not match its checksum .* probably has a typo/,
  );
  await expect(input).toHaveValue(TYPO);

  // All lower-case: the dialog shows the consequence and asks for the last 4 characters.
  await input.fill(TREASURY.toLowerCase());
  await save.click();
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId("treasury-consequence")).toContainText(
    `Every future sweep on local goes to ${TREASURY.toLowerCase()}.`,
  );
  await expect(dialog.getByLabel(LAST_FOUR_LABEL_TEXT)).toBeFocused();
  // Escape cancels: nothing is submitted, the focus is back on the button.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(save).toBeFocused();
  expect(await saved()).toBe(0);

  // Wrong last 4, then a wrong password: field errors inside the dialog, nothing saved or audited.
  await save.click();
  await confirmInDialog(page, "Confirm and save", {
    [LAST_FOUR_LABEL_TEXT]: "ffff",
    [PASSWORD_LABEL]: merchant.password,
  });
  await expect(dialog.locator("#treasury-local-address_confirm-error")).toHaveText(
    "These are not the address's last 4 characters: check the address you entered.",
  );
  await dialog.getByLabel(LAST_FOUR_LABEL_TEXT).fill(TREASURY.slice(-4));
  await dialog.getByLabel(PASSWORD_LABEL).fill("not my password");
  await dialog.getByRole("button", { name: "Confirm and save" }).click();
  await expect(dialog.locator("#treasury-local-password-error")).toHaveText("That password is not correct.");
  await shot(page, testInfo, "treasury-wrong-password");
  expect(await saved()).toBe(0);
  expect(await audited()).toBe(auditBefore);

  // The right password: saved as EIP-55, audited.
  await dialog.getByLabel(LAST_FOUR_LABEL_TEXT).fill(TREASURY.slice(-4).toUpperCase());
  await dialog.getByLabel(PASSWORD_LABEL).fill(merchant.password);
  await dialog.getByRole("button", { name: "Confirm and save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Treasury for local saved" })).toContainText(
    TREASURY,
  );
  await expect(dialog).toBeHidden();
  expect(await saved()).toBe(1);
  expect(await audited()).toBeGreaterThan(auditBefore);
});

test("payout limits: a threshold above the maximum is refused, the consequence is spelled out", async ({
  page,
  merchant,
  db,
}, testInfo) => {
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/settings");
  const limits = page.getByTestId("limits-local-ETH");
  await limits.getByLabel("Max per payout (ETH on local)").fill("5");
  await limits.getByLabel("Auto-approve below (ETH on local)").fill("9");
  await limits.getByRole("button", { name: "Save ETH limits on local" }).click();
  await expect(page.getByTestId("limits-consequence")).toHaveText(
    /^Payouts of ETH on local below 9 ETH are sent without your approval\. A payout above 5 ETH is refused\./,
  );
  await shot(page, testInfo, "limits-confirmation");
  await confirmInDialog(page, "Confirm and save", { [PASSWORD_LABEL]: merchant.password });
  await expect(limits.locator("#limits-local-ETH-auto_approve_below-error")).toHaveText(
    "The auto-approval threshold (9 ETH) is above the maximum per payout (5 ETH): lower the threshold or raise the maximum.",
  );
  // Both values stay typed; nothing was saved.
  await expect(limits.getByLabel("Auto-approve below (ETH on local)")).toHaveValue("9");
  expect(await db.payoutLimit.count({ where: { merchantId: merchant.merchantId } })).toBe(0);

  await limits.getByLabel("Auto-approve below (ETH on local)").fill("2");
  await limits.getByRole("button", { name: "Save ETH limits on local" }).click();
  await confirmInDialog(page, "Confirm and save", { [PASSWORD_LABEL]: merchant.password });
  await expect(limits.getByRole("status")).toHaveText("ETH limits on local saved.");
});

test("payout approval, payment cancel and key revocation show their summary first; Go back changes nothing", async ({
  page,
  request,
  merchant,
  db,
}, testInfo) => {
  const recipient = "0x000000000000000000000000000000000000dEaD";
  const payout = await pendingPayoutViaApi(request, db, merchant, {
    amount: "0.25",
    address: recipient,
    description: "supplier 12",
  });
  await signInViaApi(page, merchant);
  const dialog = page.getByRole("dialog");

  await page.goto(`/dashboard/payouts/${payout.id}`);
  await page.getByRole("button", { name: "Approve payout" }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading")).toHaveText("Send 0.25 ETH now?");
  await expect(dialog.getByTestId("confirm-amount")).toHaveText("0.25 ETH");
  await expect(dialog.getByTestId("confirm-recipient")).toHaveText(recipient);
  await expect(dialog).toContainText("Local devnet (local, chain 31337)");
  await expect(dialog).toContainText("Network fee");
  // The focus is inside the dialog and stays there (the page behind is inert).
  await expect(dialog.getByRole("button", { name: "Go back" })).toBeFocused();
  for (let step = 0; step < 4; step += 1) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest("dialog")))).toBe(true);
  }
  await shot(page, testInfo, "payout-approval");
  await dialog.getByRole("button", { name: "Go back" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("payout-status")).toHaveText("pending approval");

  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    token: "USDC",
    amount: "40",
    order_id: "order-guarded",
  });
  await page.goto(`/dashboard/payments/${payment.id}`);
  await page.getByRole("button", { name: "Cancel payment" }).click();
  await expect(dialog.getByTestId("confirm-amount")).toHaveText("40 USDC");
  await expect(dialog).toContainText("order-guarded");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("payment-status").first()).toHaveText("pending");
  await page.getByRole("button", { name: "Cancel payment" }).click();
  await confirmInDialog(page, "Yes, cancel the payment");
  await expect(page.getByRole("status").filter({ hasText: "Payment canceled." })).toBeVisible();

  await page.goto("/dashboard/api-keys");
  await page.getByRole("button", { name: /^Revoke e2e \(/ }).click();
  await expect(dialog).toContainText("Every request with this key is refused at once (401).");
  await dialog.getByRole("button", { name: "Go back" }).click();
  const stillWorks = await request.get("/api/v1/payments", { headers: merchant.auth });
  expect(stillWorks.status()).toBe(200);
  await page.getByRole("button", { name: /^Revoke e2e \(/ }).click();
  await confirmInDialog(page, "Revoke the key");
  await expect(page.getByRole("status").filter({ hasText: "API key revoked." })).toBeVisible();
  expect((await request.get("/api/v1/payments", { headers: merchant.auth })).status()).toBe(401);
});
