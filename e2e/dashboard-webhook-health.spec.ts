// Issue 23 point 5: an endpoint's health comes from its deliveries; failed attempts show as failed
// with their status code, payload and response; Retry only where it makes sense; test events logged.
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

let receiver: WebhookReceiver;
let answer = 500;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver(() => answer);
});
test.afterAll(async () => {
  await receiver.close();
});

test("a failing endpoint is shown failing, with failed attempts, payloads, and Retry only on failures", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(120_000);
  answer = 500;
  const created = await request.post("/api/v1/webhook-endpoints", {
    headers: merchant.auth,
    data: { url: receiver.url, description: "flaky receiver" },
  });
  expect(created.status()).toBe(201);
  const endpoint = await created.json();
  const payment = await createPaymentViaApi(request, merchant, {
    chain: "local",
    amount: "1",
    order_id: "o-500",
  });
  await expect.poll(() => receiver.received.length).toBeGreaterThan(0);

  await signInViaApi(page, merchant);
  await page.goto("/dashboard/webhooks");
  const endpointRow = page.getByTestId("endpoint-row");
  // One failed attempt and never a success: failing, not a green "enabled".
  await expect(async () => {
    await page.reload();
    await expect(endpointRow.getByTestId("endpoint-status")).toHaveText("failing");
  }).toPass();
  await expect(endpointRow.getByTestId("endpoint-health-detail")).toContainText("HTTP 500");

  // The delivery is failed (its schedule retries it later), with the code in the row.
  const row = page.getByTestId("delivery-row").filter({ hasText: "payment.created" });
  await expect(row.getByTestId("delivery-status")).toHaveText("failed");
  await expect(row.getByTestId("delivery-status-code")).toHaveText("HTTP 500");
  await row.getByText("Request payload").click();
  await expect(row.getByTestId("delivery-payload")).toContainText(payment.id);
  await expect(row.getByTestId("delivery-payload")).toContainText('"type": "payment.created"');
  await row.getByText(/^\d+ attempts?$/).click();
  await expect(row.getByTestId("delivery-attempt").first()).toContainText("receiver says 500");
  const failedShot = test.info().outputPath("webhook-health-failing.png");
  await page.screenshot({ fullPage: true, path: failedShot });
  await test.info().attach("webhook-health-failing.png", { path: failedShot, contentType: "image/png" });

  // A test event is logged as a delivery of the endpoint, failed with its status code.
  await page.getByRole("link", { name: `Manage ${receiver.url}` }).click();
  await expect(page.getByTestId("endpoint-status")).toHaveText("failing");
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByTestId("test-webhook-result")).toContainText("Test event failed: HTTP 500");
  await page.reload();
  const testRow = page.getByTestId("delivery-row").filter({ hasText: "webhook_endpoint.test" });
  await expect(testRow.getByTestId("delivery-status")).toHaveText("failed");
  await expect(testRow.getByTestId("delivery-status-code")).toHaveText("HTTP 500");
  await expect(testRow).toContainText("no more retries");

  // Retry the failed payment.created delivery once the receiver is fixed: it succeeds…
  answer = 200;
  const retryRow = page.getByTestId("delivery-row").filter({ hasText: "payment.created" });
  await retryRow.getByRole("button", { name: /^Retry payment\.created delivery/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "Delivery retried" })).toBeVisible();
  await expect(retryRow.getByTestId("delivery-status")).toHaveText("succeeded");
  await expect(retryRow.getByTestId("delivery-status-code")).toHaveText("HTTP 200");
  // …and a succeeded delivery offers no Retry; the endpoint is healthy again.
  await expect(retryRow.getByRole("button", { name: /^Retry/ })).toHaveCount(0);
  await expect(retryRow).toContainText("delivered");
  await expect(page.getByTestId("endpoint-status")).toHaveText("healthy");

  // The server action refuses a succeeded delivery too: the test event's Retry form, pointed at it.
  const succeededId = await retryRow.getAttribute("id");
  if (!succeededId) throw new Error("no delivery id");
  const sentBefore = receiver.received.length;
  await testRow.locator('input[name="deliveryId"]').evaluate((input, id) => {
    (input as HTMLInputElement).value = id;
  }, succeededId);
  await testRow.getByRole("button", { name: /^Retry webhook_endpoint\.test delivery/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "This delivery cannot be retried" })).toBeVisible();
  expect(receiver.received.length).toBe(sentBefore);
  const delivery = await (
    await request.get(`/api/v1/webhook-deliveries/${succeededId}`, { headers: merchant.auth })
  ).json();
  expect(delivery.attempts.at(-1).status_code).toBe(200);
  expect(delivery.status).toBe("succeeded");

  // Disabled is its own state.
  await page.getByRole("button", { name: "Disable endpoint" }).click();
  await expect(page.getByTestId("endpoint-status")).toHaveText("disabled");
  expect(endpoint.id).toMatch(/^we_/);
  const shot = test.info().outputPath("webhook-health-endpoint.png");
  await page.screenshot({ fullPage: true, path: shot });
  await test.info().attach("webhook-health-endpoint.png", { path: shot, contentType: "image/png" });
});
