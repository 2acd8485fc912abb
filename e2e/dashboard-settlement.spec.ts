// Treasury settings, sweeps and late-payment resolution in the dashboard, with real ETH moved on the
// e2e gateway's Anvil devnet and found by its own scanner and sweeper.
import { formatEther, type Hex, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { unspentGasReserve } from "@/lib/testing/unspent-gas-reserve";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { confirmInDialog, LAST_FOUR_LABEL_TEXT, PASSWORD_LABEL } from "./confirm-dialog";
import { fundedPayer, publicClient, testClient } from "./devnet";
import { createPaymentViaApi, expect, signInViaApi, type TestMerchant, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

type ApiPayment = {
  id: string;
  status: string;
  exception: string | null;
  transfers: { confirmations: number }[];
};
async function paymentOf(
  request: import("@playwright/test").APIRequestContext,
  merchant: TestMerchant,
  id: string,
): Promise<ApiPayment> {
  return (await request.get(`/api/v1/payments/${id}`, { headers: merchant.auth })).json();
}

let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver(() => 200);
});
test.afterAll(async () => {
  await receiver.close();
});

test("treasury set in settings; a real ETH payment is swept there and the payment page shows the sweep and its webhooks", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(120_000);
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/settings");
  const treasuryInput = page.getByLabel("Treasury address on local (31337)");
  await expect(page.getByTestId("treasury-local")).toContainText("Not set");

  // Plain messages on the field, each after the owner's password; an address without checksum is
  // confirmed by its last 4 characters.
  const save = async (address: string, fields: Record<string, string> = {}) => {
    await treasuryInput.fill(address);
    await page.getByRole("button", { name: "Save local settlement" }).click();
    await confirmInDialog(page, "Confirm and save", { ...fields, [PASSWORD_LABEL]: merchant.password });
  };
  await save("0x0000000000000000000000000000000000000000", { [LAST_FOUR_LABEL_TEXT]: "0000" });
  await expect(page.locator("#treasury-local-error")).toHaveText(
    "This is the zero address: anything sent there is lost. Enter a real address.",
  );
  await expect(treasuryInput).toHaveAttribute("aria-invalid", "true");
  await save("0x1234");
  await expect(page.locator("#treasury-local-error")).toHaveText(
    "Enter an address that starts with 0x followed by 40 letters and digits.",
  );
  const someDeposit = await createPaymentViaApi(request, merchant, { chain: "local", amount: "1" });
  await save(someDeposit.address);
  await expect(page.locator("#treasury-local-error")).toContainText("is a deposit address of this gateway");

  const treasury = privateKeyToAddress(generatePrivateKey());
  await save(treasury.toLowerCase(), { [LAST_FOUR_LABEL_TEXT]: treasury.slice(-4) });
  await expect(page.getByRole("status").filter({ hasText: "Treasury for local saved" })).toContainText(
    treasury,
  );
  await page.reload();
  await expect(treasuryInput).toHaveValue(treasury);
  await expect(page.getByTestId("treasury-local")).toContainText("Mode: treasury");

  // Webhooks of the payment's events, then the payment itself, paid with real ETH.
  const endpoint = await request.post("/api/v1/webhook-endpoints", {
    headers: merchant.auth,
    data: { url: receiver.url },
  });
  expect(endpoint.status()).toBe(201);
  const payment = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.05" });
  const pay = await fundedPayer();
  await pay(payment.address, "0.05");

  await page.goto(`/dashboard/payments/${payment.id}`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("payment-status").first()).toHaveText("settled");
  }).toPass({ timeout: 60_000 });
  const sweep = page.getByTestId("sweep");
  await expect(sweep.getByTestId("sweep-status")).toHaveText("confirmed");
  await expect(sweep.getByTestId("sweep-to")).toHaveText(treasury);
  const sweepTx = ((await sweep.getByTestId("sweep-tx").textContent()) ?? "") as Hex;
  expect(sweepTx).toMatch(/^0x[0-9a-f]{64}$/);

  // What the page says is what happened on chain: amount + fee + the gas reserve the sweep did not
  // burn (it stays at the deposit address) = 0.05 ETH; the amount is at the treasury.
  const receipt = await publicClient.getTransactionReceipt({ hash: sweepTx });
  expect(receipt.status).toBe("success");
  const fee = receipt.gasUsed * receipt.effectiveGasPrice;
  const left = await unspentGasReserve(publicClient, sweepTx);
  const swept = parseEther("0.05") - fee - left;
  expect(await publicClient.getBalance({ address: treasury })).toBe(swept);
  expect(await publicClient.getBalance({ address: payment.address as Hex })).toBe(left);
  await expect(sweep.getByTestId("sweep-amount")).toHaveText(`${formatEther(swept)} ETH`);
  await expect(sweep.getByTestId("sweep-fee")).toHaveText(`${formatEther(fee)} ETH`);
  await expect(page.getByTestId("timeline")).toContainText("confirmed → settled");

  // Every event of the payment was delivered to the endpoint; the page lists those deliveries.
  const deliveries = page.getByTestId("delivery-row");
  await expect(async () => {
    await page.reload();
    for (const type of ["payment.created", "payment.detected", "payment.confirmed", "payment.settled"])
      await expect(deliveries.filter({ hasText: type }).getByTestId("delivery-status")).toHaveText(
        "succeeded",
      );
  }).toPass({ timeout: 20_000 });
  await expect(deliveries.filter({ hasText: someDeposit.id })).toHaveCount(0);
  // Delivered: nothing to retry, so no Retry button (the retry service refuses it too).
  const settledRow = deliveries.filter({ hasText: "payment.settled" });
  await expect(settledRow.getByRole("button", { name: /^Retry/ })).toHaveCount(0);
  await expect(settledRow).toContainText("delivered");
  await test.info().attach("dashboard-payment-settled.png", {
    path: await screenshotTo(page, "dashboard-payment-settled.png"),
    contentType: "image/png",
  });
});

/** A full-page screenshot kept in the test's output folder (and attached to the report). */
async function screenshotTo(page: import("@playwright/test").Page, name: string): Promise<string> {
  const path = test.info().outputPath(name);
  await page.screenshot({ fullPage: true, path });
  return path;
}

test("an underpaid payment is accepted as paid after a summary, an overpaid one explained, a late one accepted from its page", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(120_000);
  const late = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "0.01",
    expires_in: 60,
  });
  const short = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "0.02",
    expires_in: 60,
  });
  const over = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.02" });
  const pay = await fundedPayer();
  await pay(short.address, "0.005");
  await pay(over.address, "0.03");
  await expect.poll(async () => (await paymentOf(request, merchant, short.id)).transfers.length).toBe(1);

  // Expiry is judged on chain time: move the devnet's clock past both expiries.
  await testClient.increaseTime({ seconds: 120 });
  await testClient.mine({ blocks: 1 });
  await expect
    .poll(async () => (await paymentOf(request, merchant, short.id)).exception, { timeout: 30_000 })
    .toBe("underpaid");
  await expect
    .poll(async () => (await paymentOf(request, merchant, late.id)).status, { timeout: 30_000 })
    .toBe("expired");

  await pay(late.address, "0.01");
  await expect
    .poll(
      async () => {
        const current = await paymentOf(request, merchant, late.id);
        return `${current.exception}:${current.transfers.every((transfer) => transfer.confirmations >= 2)}`;
      },
      { timeout: 30_000 },
    )
    .toBe("paid_late:true");

  await signInViaApi(page, merchant);
  await page.goto(`/dashboard/payments/${short.id}`);
  await expect(page.getByTestId("payment-status").first()).toHaveText("expired · underpaid");
  await expect(page.getByTestId("payment-exception")).toContainText(
    "expired with 0.005 of 0.02 ETH received",
  );
  await expect(page.getByRole("button", { name: "Accept late payment" })).toHaveCount(0);
  // The partial payment is accepted as paid for what arrived, after a summary of it.
  await expect
    .poll(async () => (await paymentOf(request, merchant, short.id)).transfers[0]?.confirmations ?? 0)
    .toBeGreaterThanOrEqual(2);
  await page.getByRole("button", { name: "Accept as paid" }).click();
  await expect(page.getByTestId("accept-received")).toHaveText("0.005 of 0.02 ETH");
  await confirmInDialog(page, "Accept as paid");
  await expect(
    page.getByRole("status").filter({ hasText: "Partial payment accepted as paid" }),
  ).toBeVisible();
  await expect(page.getByTestId("payment-status").first()).toHaveText("confirmed · underpaid");
  await expect(page.getByTestId("timeline")).toContainText("expired → confirmed (underpaid)");
  await expect(page.getByRole("button", { name: "Accept as paid" })).toHaveCount(0);
  expect(await paymentOf(request, merchant, short.id)).toMatchObject({
    status: "confirmed",
    exception: "underpaid",
    amount_received: "0.005",
  });

  await expect
    .poll(async () => (await paymentOf(request, merchant, over.id)).exception, { timeout: 30_000 })
    .toBe("overpaid");
  await page.goto(`/dashboard/payments/${over.id}`);
  await expect(page.getByTestId("payment-status").first()).toHaveText(/^(confirmed|settled) · overpaid$/);
  await expect(page.getByTestId("payment-exception")).toContainText("more than asked (0.03 of 0.02 ETH)");
  await expect(page.getByRole("button", { name: "Accept late payment" })).toHaveCount(0);

  await page.goto(`/dashboard/payments/${late.id}`);
  await expect(page.getByTestId("payment-status").first()).toHaveText("expired · paid late");
  await expect(page.getByTestId("payment-exception")).toContainText("after the payment expired");
  await page.getByRole("button", { name: "Accept late payment" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Late payment accepted: the payment is confirmed." }),
  ).toBeVisible();
  await expect(page.getByTestId("payment-status").first()).toHaveText("confirmed · paid late");
  await expect(page.getByTestId("timeline")).toContainText("expired → confirmed (paid_late)");
  await expect(page.getByRole("button", { name: "Accept late payment" })).toHaveCount(0);
  // No treasury for this merchant: the page says why nothing is swept.
  await expect(page.getByTestId("sweep")).toContainText("set a treasury address for this chain in Settings");
  await test.info().attach("dashboard-payment-resolved.png", {
    path: await screenshotTo(page, "dashboard-payment-resolved.png"),
    contentType: "image/png",
  });
  expect((await paymentOf(request, merchant, late.id)).status).toBe("confirmed");
});
