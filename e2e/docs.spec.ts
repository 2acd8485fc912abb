import { expect, test } from "./fixtures";

test("/api/openapi.json serves the OpenAPI 3.1 document", async ({ request }) => {
  const response = await request.get("/api/openapi.json");
  expect(response.status()).toBe(200);
  const document = await response.json();
  expect(document.openapi).toBe("3.1.0");
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining(["/api/v1/payments", "/api/v1/payments/{id}"]),
  );
});

test("/docs lists the endpoints and its Try it form creates a real payment @phone", async ({
  page,
  merchant,
}) => {
  await page.goto("/docs");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("cTrip Pay API");
  await page.getByLabel("API key (kept in this tab only)").first().fill(merchant.apiKey);

  const tryIt = page.locator('details:has(button:text-is("Send POST /api/v1/payments"))');
  await tryIt.locator("summary").click();
  await tryIt.getByRole("button", { name: "Send POST /api/v1/payments", exact: true }).click();
  const result = tryIt.locator("output");
  await expect(result).toContainText("201");
  await expect(result).toContainText('"object": "payment"');
});
