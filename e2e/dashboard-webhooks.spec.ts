// The dashboard's webhooks pages in the browser, against a real local receiver standing in for the
// merchant's server (the embedded gateway allows loopback targets).
import { Webhook } from "standardwebhooks";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { createPaymentViaApi, expect, signInViaApi, type TestMerchant, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

let receiver: WebhookReceiver;
/** What the receiver answers, per test run (the specs of this file run one after the other). */
let answer = 200;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver(() => answer);
});
test.afterAll(async () => {
  await receiver.close();
});

type Received = { id: string; type: string; data: { object: { id: string } } };
const receivedEvents = () => receiver.received.map((webhook) => JSON.parse(webhook.body) as Received);
const receivedFor = (objectId: string) =>
  receivedEvents()
    .filter((event) => event.data.object.id === objectId)
    .map((event) => event.type);

async function deliveryIdOf(
  request: import("@playwright/test").APIRequestContext,
  merchant: TestMerchant,
  paymentId: string,
  type: string,
): Promise<string> {
  let deliveryId = "";
  await expect
    .poll(async () => {
      const events = await (
        await request.get(`/api/v1/events?object_id=${paymentId}`, { headers: merchant.auth })
      ).json();
      const event = events.data.find((candidate: { type: string }) => candidate.type === type);
      if (!event) return "";
      const deliveries = await (
        await request.get(`/api/v1/webhook-deliveries?event=${event.id}`, { headers: merchant.auth })
      ).json();
      deliveryId = deliveries.data[0]?.id ?? "";
      return deliveryId;
    })
    .toMatch(/^wd_/);
  return deliveryId;
}

test("a webhook endpoint managed in the dashboard: secret once, signed events, test, filter, rotate, retry, disable, delete", async ({
  page,
  request,
  merchant,
}) => {
  test.setTimeout(120_000);
  answer = 200;
  await signInViaApi(page, merchant);
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  await expect(page.getByText("No webhook endpoints yet.")).toBeVisible();

  // Server-side validation is shown next to the field.
  await page.getByLabel("Endpoint URL").fill("ftp://files.example");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page.locator("#new-endpoint-url-error")).toHaveText(
    "Enter a web address that starts with https:// or http://.",
  );
  await expect(page.getByLabel("Endpoint URL")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Endpoint URL").fill(receiver.url);
  await page.getByLabel("Description (optional)").fill("e2e receiver");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const secret = (await page.getByTestId("new-webhook-secret").textContent()) ?? "";
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const row = page.getByTestId("endpoint-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("all events");
  await expect(row).toContainText("e2e receiver");
  await expect(row.getByTestId("endpoint-status")).toHaveText("healthy");

  // Events reach the receiver signed with the revealed secret.
  const first = await createPaymentViaApi(request, merchant, { chain: "local", amount: "1" });
  await expect.poll(() => receivedFor(first.id)).toContain("payment.created");
  const created = receiver.received.find((webhook) => webhook.body.includes(first.id));
  if (!created) throw new Error("payment.created not received");
  expect(new Webhook(secret).verify(created.body, created.headers)).toMatchObject({
    type: "payment.created",
  });

  // The secret is never shown again; the log shows the delivery and its attempt.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("delivery-row").first().getByTestId("delivery-status")).toHaveText(
      "succeeded",
    );
  }).toPass();
  await expect(page.getByTestId("new-webhook-secret")).toHaveCount(0);
  const logRow = page.getByTestId("delivery-row").first();
  await expect(logRow).toContainText("payment.created");
  await logRow.getByText("1 attempt").click();
  await expect(logRow.getByTestId("delivery-attempt")).toContainText("HTTP 200");
  await expect(logRow.getByTestId("delivery-attempt")).toContainText("ok");

  // The endpoint's own page: send a test event and see the outcome.
  await page.getByRole("link", { name: `Manage ${receiver.url}` }).click();
  await expect(page).toHaveURL(/\/dashboard\/webhooks\/we_[0-9A-Za-z]{22}$/);
  const countBefore = receiver.received.length;
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByTestId("test-webhook-result")).toContainText("Test event delivered: HTTP 200");
  const testWebhook = receiver.received
    .slice(countBefore)
    .find((webhook) => webhook.body.includes("webhook_endpoint.test"));
  if (!testWebhook) throw new Error("test event not received");
  new Webhook(secret).verify(testWebhook.body, testWebhook.headers);

  // Rotate: a new secret, shown once, signs from now on.
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const rotated = (await page.getByTestId("rotated-webhook-secret").textContent()) ?? "";
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);
  const countAfterRotate = receiver.received.length;
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect.poll(() => receiver.received.length).toBeGreaterThan(countAfterRotate);
  const signedWithNew = receiver.received.at(-1);
  if (!signedWithNew) throw new Error("no test event after rotation");
  expect(() => new Webhook(rotated).verify(signedWithNew.body, signedWithNew.headers)).not.toThrow();
  expect(() => new Webhook(secret).verify(signedWithNew.body, signedWithNew.headers)).toThrow();

  // Edit the event filter: only payment.canceled is sent now.
  await page.getByRole("checkbox", { name: "payment.canceled" }).check();
  await page.getByLabel("Description (optional)").fill("cancellations only");
  await page.getByRole("button", { name: "Save endpoint" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Endpoint saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "payment.canceled" })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "payment.created" })).not.toBeChecked();
  await expect(page.getByLabel("Description (optional)")).toHaveValue("cancellations only");

  // A failing receiver: the delivery is logged with the 500, then retried from the dashboard.
  answer = 500;
  const second = await createPaymentViaApi(request, merchant, { chain: "local", amount: "2" });
  const canceled = await request.post(`/api/v1/payments/${second.id}/cancel`, { headers: merchant.auth });
  expect(canceled.status()).toBe(200);
  const deliveryId = await deliveryIdOf(request, merchant, second.id, "payment.canceled");
  await expect.poll(() => receivedFor(second.id)).toEqual(["payment.canceled"]);
  answer = 200;
  await page.reload();
  const failedRow = page.locator(`[id="${deliveryId}"]`);
  await expect(failedRow).toContainText("payment.canceled");
  await failedRow.locator("summary").first().click();
  await expect(failedRow.getByTestId("delivery-attempt").first()).toContainText("HTTP 500");
  await expect(failedRow.getByTestId("delivery-attempt").first()).toContainText("receiver says 500");
  await failedRow.getByRole("button", { name: `Retry payment.canceled delivery ${deliveryId}` }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Delivery retried: the endpoint answered with success." }),
  ).toBeVisible();
  await expect(page.locator(`[id="${deliveryId}"]`).getByTestId("delivery-status")).toHaveText("succeeded");
  // The filter held: the second payment's creation was never sent.
  expect(receivedFor(second.id).filter((type) => type === "payment.created")).toEqual([]);

  // Disable: no retry is offered; enable again.
  await page.getByRole("button", { name: "Disable endpoint" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Endpoint disabled" })).toBeVisible();
  await expect(page.getByTestId("endpoint-status")).toHaveText("disabled");
  await expect(page.getByRole("button", { name: /^Retry / })).toHaveCount(0);
  await page.getByRole("button", { name: "Enable endpoint" }).click();
  await expect(page.getByTestId("endpoint-status")).toHaveText("healthy");

  // Delete (after confirming): gone from the list, its log stays.
  const endpointShot = test.info().outputPath("dashboard-webhook-endpoint.png");
  await page.screenshot({ fullPage: true, path: endpointShot });
  await test
    .info()
    .attach("dashboard-webhook-endpoint.png", { path: endpointShot, contentType: "image/png" });
  await page.getByRole("button", { name: "Delete endpoint" }).click();
  // Not without the confirmation: the browser holds the form back, the endpoint stays.
  const confirmDelete = page.getByLabel("Yes, delete this endpoint");
  expect(await confirmDelete.evaluate((input) => (input as HTMLInputElement).validity.valueMissing)).toBe(
    true,
  );
  await expect(page.getByTestId("endpoint-id")).toBeVisible();
  await confirmDelete.check();
  await page.getByRole("button", { name: "Delete endpoint" }).click();
  await expect(page).toHaveURL(/\/dashboard\/webhooks\?notice=deleted$/);
  await expect(page.getByRole("status").filter({ hasText: "Webhook endpoint deleted." })).toBeVisible();
  await expect(page.getByTestId("endpoint-row")).toHaveCount(0);
  await expect(page.locator(`[id="${deliveryId}"]`)).toContainText("delivered");

  // The log filters by delivery status.
  await page.getByLabel("Delivery status").selectOption("failed");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/\/dashboard\/webhooks\?status=failed$/);
  await expect(page.getByText("No failed deliveries.")).toBeVisible();
  await page.getByLabel("Delivery status").selectOption("succeeded");
  await page.getByRole("button", { name: "Show" }).click();
  // payment.created, the two logged test events and the retried payment.canceled.
  await expect(page.getByTestId("delivery-row")).toHaveCount(4);
  await expect(page.getByTestId("delivery-status")).toHaveText(Array(4).fill("succeeded"));
});

test("the webhooks pages work with the keyboard alone and fit a phone screen @phone", async ({
  page,
  merchant,
}) => {
  answer = 200;
  await signInViaApi(page, merchant);
  await page.goto("/dashboard/webhooks");
  // Hydrated first: React taking over the form must not move the focus under the keyboard.
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Endpoint URL").focus();
  await expect(page.getByLabel("Endpoint URL")).toBeFocused();
  await page.keyboard.type(receiver.url);
  await expect(page.getByLabel("Endpoint URL")).toHaveValue(receiver.url);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Description (optional)")).toBeFocused();
  await page.keyboard.type("keyboard");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("checkbox", { name: "payment.created" })).toBeFocused();
  await page.keyboard.press("Space");
  await expect(page.getByRole("checkbox", { name: "payment.created" })).toBeChecked();
  await page.getByLabel("Description (optional)").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("new-webhook-secret")).toHaveText(/^whsec_/);
  const copy = page.getByRole("button", { name: "Copy signing secret" });
  await copy.focus();
  await expect(copy).toBeFocused();
  const outline = await copy.evaluate((element) => getComputedStyle(element).outlineStyle);
  expect(outline).toBe("solid");

  const manage = page.getByRole("link", { name: `Manage ${receiver.url}` });
  await expect(page.getByTestId("endpoint-row")).toContainText("payment.created");
  await manage.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/dashboard\/webhooks\/we_/);
  await page.getByRole("button", { name: "Send test event" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("test-webhook-result")).toContainText("HTTP 200");

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const shot = test.info().outputPath(`dashboard-webhooks-${test.info().project.name}.png`);
  await page.screenshot({ fullPage: true, path: shot });
  await test.info().attach(`dashboard-webhooks-${test.info().project.name}.png`, {
    path: shot,
    contentType: "image/png",
  });
});

test.describe("isolation", () => {
  test.use({
    allowedBrowserErrors: [/Failed to load resource: the server responded with a status of 404/],
  });

  test("another merchant's webhook endpoint is not found", async ({
    page,
    request,
    merchant,
    otherMerchant,
  }) => {
    const theirs = await request.post("/api/v1/webhook-endpoints", {
      headers: otherMerchant.auth,
      data: { url: receiver.url, description: "their secret endpoint" },
    });
    expect(theirs.status()).toBe(201);
    const endpoint = await theirs.json();
    await signInViaApi(page, merchant);
    const response = await page.goto(`/dashboard/webhooks/${endpoint.id}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Webhook endpoint not found" })).toBeVisible();
    await expect(page.getByText("their secret endpoint")).toHaveCount(0);
    await page.goto("/dashboard/webhooks");
    await expect(page.getByTestId("endpoint-row")).toHaveCount(0);
  });
});
