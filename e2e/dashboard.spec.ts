import { randomBytes } from "node:crypto";
import { forcePaymentStateForTests } from "@/lib/testing/force-payment-state";
import { confirmInDialog } from "./confirm-dialog";
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

test.describe("dashboard auth", () => {
  test("sign-up creates a merchant and lands on its dashboard; sign-out ends the session", async ({
    page,
  }) => {
    const suffix = randomBytes(4).toString("hex");
    const name = `Tea House ${suffix}`;
    await page.goto("/sign-up");
    await page.getByLabel("Business name").fill(name);
    await page.getByLabel("Email").fill(`owner-${suffix}@e2e.test`);
    await page.getByLabel(/^Password/).fill("a long e2e password");
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByTestId("merchant-name")).toHaveText(name);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("count-total")).toHaveText("0");
    await expect(page.getByTestId("chain-local")).toContainText("31337");
    await test.info().attach("dashboard-overview.png", {
      body: await page.screenshot({ fullPage: true }),
      contentType: "image/png",
    });

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/dashboard");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fdashboard/);
  });

  test.describe("failed sign-ins", () => {
    // next-auth answers a refused sign-in with 401, which the browser logs as a failed resource.
    test.use({
      allowedBrowserErrors: [/Failed to load resource: the server responded with a status of 401/],
    });

    test("a wrong password shows a clear error and no session", async ({ page, merchant }) => {
      await page.goto("/sign-in");
      await page.getByLabel("Email").fill(merchant.email);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.locator("#sign-in-error")).toHaveText("Wrong email or password.");
      await expect(page).toHaveURL(/\/sign-in/);

      await page.getByLabel("Password").fill(merchant.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/dashboard$/);
    });

    test("repeated failures are throttled with a clear message, even for the right password", async ({
      page,
      merchant,
    }) => {
      await page.goto("/sign-in");
      await page.getByLabel("Email").fill(merchant.email);
      for (let attempt = 0; attempt < 5; attempt++) {
        await page.getByLabel("Password").fill(`wrong ${attempt}`);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect(page.locator("#sign-in-error")).toHaveText("Wrong email or password.");
        await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
      }
      await page.getByLabel("Password").fill(merchant.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.locator("#sign-in-error")).toContainText("Too many failed sign-in attempts");
    });
  });

  for (const path of ["/dashboard", "/dashboard/payments", "/dashboard/payments/new"])
    test(`${path} redirects to sign-in when signed out`, async ({ page }) => {
      await page.goto(path);
      // The layout's session check answers first, with the dashboard as the place to return to.
      await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fdashboard/);
      await expect(page.getByRole("heading", { name: "Sign in to cTrip Pay" })).toBeVisible();
    });
});

test.describe("dashboard payments", () => {
  test.describe("isolation", () => {
    test.use({
      allowedBrowserErrors: [/Failed to load resource: the server responded with a status of 404/],
    });

    test("merchant A cannot open merchant B's payment: not found", async ({
      page,
      request,
      merchant,
      otherMerchant,
    }) => {
      const theirs = await createPaymentViaApi(request, otherMerchant, {
        chain: "local",
        token: "USDC",
        amount: "77.7",
        order_id: "secret-order",
      });
      const mine = await createPaymentViaApi(request, merchant);
      await signInViaApi(page, merchant);

      await page.goto(`/dashboard/payments/${mine.id}`);
      await expect(page.getByTestId("payment-id")).toHaveText(mine.id);

      const response = await page.goto(`/dashboard/payments/${theirs.id}`);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { name: "Payment not found" })).toBeVisible();
      await expect(page.getByText("secret-order")).toHaveCount(0);
      await expect(page.getByText("77.7")).toHaveCount(0);

      // Search does not reach across merchants either.
      await page.goto(`/dashboard/payments?q=${theirs.id}`);
      await expect(page.getByTestId("payment-row")).toHaveCount(0);
    });
  });

  test("create a payment in the dashboard, find it, open its checkout, cancel it", async ({
    page,
    merchant,
  }) => {
    await signInViaApi(page, merchant);
    await page.goto("/dashboard/payments/new");
    await page.getByLabel("Chain").selectOption("local");
    await page.getByLabel("Token").selectOption("USDC");
    await page.getByLabel("Amount").fill("42.5");
    await page.getByLabel("Order id (optional)").fill("e2e-order-1");
    await page.getByRole("button", { name: "Create payment" }).click();

    await expect(page).toHaveURL(/\/dashboard\/payments\/pay_[0-9A-Za-z]{22}\?created=1$/);
    await expect(page.getByRole("status").filter({ hasText: "Payment created" })).toBeVisible();
    const paymentId = (await page.getByTestId("payment-id").textContent()) ?? "";
    await expect(page.getByTestId("payment-qr")).toBeVisible();
    await expect(page.getByTestId("timeline")).toContainText("pending");
    const checkoutUrl = (await page.getByTestId("checkout-link").getAttribute("href")) ?? "";
    expect(checkoutUrl).toMatch(new RegExp(`/pay/${paymentId}$`));

    await page.goto("/dashboard/payments?q=e2e-order-1");
    await expect(page.getByTestId("payment-row")).toHaveCount(1);
    await expect(page.getByTestId("payment-row")).toContainText(paymentId);

    await page.goto(checkoutUrl);
    await expect(page.getByTestId("checkout-amount")).toHaveText("42.50");
    await expect(page.getByTestId("deposit-address")).toHaveText(/^0x[0-9a-fA-F]{40}$/);
    await expect(page.getByTestId("payment-qr")).toBeVisible();
    await expect(page.getByTestId("countdown")).toHaveText(/^\d\d:\d\d$/);

    await page.goto(`/dashboard/payments/${paymentId}`);
    await page.getByRole("button", { name: "Cancel payment" }).click();
    await confirmInDialog(page, "Yes, cancel the payment");
    await expect(page.getByRole("status").filter({ hasText: "Payment canceled." })).toBeVisible();
    await expect(page.getByTestId("payment-status").first()).toHaveText("canceled");
    await expect(page.getByTestId("timeline")).toContainText("pending → canceled");

    await page.goto(checkoutUrl);
    await expect(page.getByTestId("checkout-status")).toContainText("This payment was canceled");
    await expect(page.getByTestId("deposit-address")).toHaveCount(0);
  });

  test("CSV export of the filtered set needs a session and has exact amounts", async ({
    page,
    request,
    merchant,
  }) => {
    const signedOut = await page.request.get("/dashboard/payments/export.csv", { maxRedirects: 0 });
    expect(signedOut.status()).toBe(307);
    expect(signedOut.headers().location).toContain("/sign-in");

    const first = await createPaymentViaApi(request, merchant, {
      chain: "local",
      token: "USDC",
      amount: "0.000001",
      order_id: "csv-1",
    });
    await createPaymentViaApi(request, merchant, { chain: "local", amount: "1.5", order_id: "csv-2" });
    await signInViaApi(page, merchant);
    const response = await page.request.get("/dashboard/payments/export.csv?q=csv-1");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("text/csv");
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${first.id},`);
    expect(lines[1]).toContain(",USDC,0.000001,0,");
  });

  test("create an API key in the dashboard (shown once), use it, revoke it", async ({
    page,
    request,
    merchant,
  }) => {
    await signInViaApi(page, merchant);
    await page.goto("/dashboard/api-keys");
    await page.getByLabel("Key name").fill("e2e server");
    await page.getByRole("button", { name: "Create API key" }).click();
    const secret = (await page.getByTestId("new-api-key").textContent()) ?? "";
    expect(secret).toMatch(/^sk_[0-9A-Za-z]{43}$/);
    const row = page.getByTestId("api-key-row").filter({ hasText: "e2e server" });
    await expect(row).toContainText(`sk_…${secret.slice(-4)}`);

    const auth = { authorization: `Bearer ${secret}` };
    const created = await request.post("/api/v1/payments", {
      headers: auth,
      data: { chain: "local", amount: "1" },
    });
    expect(created.status()).toBe(201);

    await page.reload();
    await expect(page.getByTestId("new-api-key")).toHaveCount(0);
    await row.getByRole("button", { name: /^Revoke e2e server/ }).click();
    await confirmInDialog(page, "Revoke the key");
    await expect(page.getByRole("status").filter({ hasText: "API key revoked." })).toBeVisible();
    await expect(row).toContainText("revoked");
    const refused = await request.post("/api/v1/payments", {
      headers: auth,
      data: { chain: "local", amount: "1" },
    });
    expect(refused.status()).toBe(401);
  });

  test("grant payouts:approve to a new key with the checkbox; keys without it get 403 on approve", async ({
    page,
    request,
    merchant,
  }) => {
    await signInViaApi(page, merchant);
    await page.goto("/dashboard/api-keys");
    await page.getByLabel("Key name").fill("e2e approver");
    await page.getByLabel("payouts:approve", { exact: true }).check();
    await page.getByRole("button", { name: "Create API key" }).click();
    const secret = (await page.getByTestId("new-api-key").textContent()) ?? "";
    const row = page.getByTestId("api-key-row").filter({ hasText: "e2e approver" });
    await expect(row).toContainText("payouts:approve");

    // An unknown payout: the approver passes the permission check (404), the fixture's plain key not.
    const approveUrl = `/api/v1/payouts/po_${"0".repeat(22)}/approve`;
    const approver = await request.post(approveUrl, { headers: { authorization: `Bearer ${secret}` } });
    expect(approver.status()).toBe(404);
    const plain = await request.post(approveUrl, { headers: { authorization: `Bearer ${merchant.apiKey}` } });
    expect(plain.status()).toBe(403);
    expect((await plain.json()).code).toBe("forbidden");
  });

  test("settings: business name and brand colour appear on the checkout; default expiry applies", async ({
    page,
    request,
    merchant,
  }) => {
    await signInViaApi(page, merchant);
    await page.goto("/dashboard/settings");
    await page.getByLabel("Business name (shown on the checkout)").fill("Green Tea Co");
    await page.getByLabel("Brand colour (#rrggbb, optional)").fill("#0f766e");
    await page.getByLabel("Default expiry of new payments (minutes)").fill("90");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
    await expect(page.getByTestId("merchant-name")).toHaveText("Green Tea Co");

    const payment = await createPaymentViaApi(request, merchant, { chain: "local", amount: "3" });
    const minutes = (Date.parse(payment.expires_at) - Date.parse(payment.created_at)) / 60_000;
    expect(minutes).toBe(90);
    await page.goto(`/pay/${payment.id}`);
    await expect(page.getByTestId("merchant-name")).toHaveText("Green Tea Co");
    await expect(page.getByTestId("merchant-name")).toHaveCSS("color", "rgb(15, 118, 110)");
    await expect(page.getByTestId("countdown")).toHaveText(/^1:(29|30):\d\d$/);
  });

  test("the overview charts received volume and counts once a payment is confirmed", async ({
    page,
    request,
    merchant,
    db,
  }) => {
    const payment = await createPaymentViaApi(request, merchant, {
      chain: "local",
      token: "USDC",
      amount: "12.5",
    });
    // The chain scanner is not on this branch: the test-only helper confirms the payment.
    await forcePaymentStateForTests(db, payment.id, {
      status: "confirmed",
      amountReceivedBaseUnits: 12_500_000n,
      confirmations: 2,
    });
    await signInViaApi(page, merchant);
    await page.goto("/dashboard");
    await expect(page.getByTestId("count-confirmed")).toHaveText("1");
    const chart = page.getByTestId("volume-local-USDC");
    await expect(chart).toContainText("12.5 USDC");
    await expect(chart.getByRole("img")).toHaveAttribute("aria-label", /12\.5 in total/);
  });
});
