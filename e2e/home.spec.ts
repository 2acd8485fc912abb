import { expect, test } from "@playwright/test";
import { anvilRpcUrl } from "./server";

test("the home page shows the gateway up with the local chain @phone", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("cTrip Pay");
  await expect(page.getByTestId("database-status")).toHaveText("up");
  await expect(page.getByTestId("chain-local")).toContainText("31337");
});

test("/api/health reports the database up and the local chain's head advancing", async ({ request }) => {
  const headBlock = async () => {
    const response = await request.get("/api/health");
    expect(response.status()).toBe(200);
    const health = await response.json();
    expect(health.database).toEqual({ status: "up" });
    const local = health.chains.find((chain: { name: string }) => chain.name === "local");
    return local?.status === "ok" ? Number(local.head_block) : -1;
  };
  const first = await expect.poll(headBlock, { timeout: 30_000 }).toBeGreaterThanOrEqual(0).then(headBlock);
  await expect.poll(headBlock, { timeout: 30_000 }).toBeGreaterThan(first);
});

test("the mock USDC answers decimals() = 6 at the address chains.yaml lists", async ({ request }) => {
  const response = await request.post(anvilRpcUrl, {
    data: {
      jsonrpc: "2.0",
      id: 1,
      method: "eth_call",
      // decimals() selector
      params: [{ to: "0x5FbDB2315678afecb367f032d93F642f64180aa3", data: "0x313ce567" }, "latest"],
    },
  });
  const { result } = await response.json();
  expect(BigInt(result)).toBe(6n);
});
