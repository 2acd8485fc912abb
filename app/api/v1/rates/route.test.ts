// GET /api/v1/rates through the real route handler on a real database, with the repository's
// rates.yaml (the devnet's fixed ETH and pegged USDC): auth, the list's shape, currencies, 400 for an
// unsupported currency, and 503 rate_unavailable when no source answers and nothing is stored.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { ZProblem } from "@/lib/openapi/build-openapi-document";
import { ZRateList } from "@/lib/rates/list-rates";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";
import { testChain } from "@/lib/testing/test-chain";

let database: TestDatabase;
let route: typeof import("./route");
let apiKey: string;
let keyWithoutPayments: string;
let workDir: string;

const USDC = { symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 };

async function loadRoute(ratesFile: string, tokens = [USDC]) {
  const chainsFile = join(workDir, `chains-${tokens.length}.yaml`);
  const { rpcUrls, name, chainId, confirmations, blockTime, nativeCurrency } = testChain();
  writeFileSync(
    chainsFile,
    stringify({ chains: [{ name, chainId, rpcUrls, confirmations, blockTime, nativeCurrency, tokens }] }),
  );
  process.env.CHAINS_FILE = chainsFile;
  process.env.RATES_FILE = ratesFile;
  vi.resetModules();
  route = await import("./route");
}

beforeAll(async () => {
  database = await createTestDatabase();
  workDir = mkdtempSync(join(tmpdir(), "ctrip-rates-"));
  process.env.DATABASE_URL = database.databaseUrl;
  await loadRoute(resolve("rates.yaml"));
  const merchant = await createMerchant(database.db, { name: "R", email: "r@rates.test", password: "pw" });
  ({ apiKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: merchant.merchantId, name: "r" },
  ));
  ({ apiKey: keyWithoutPayments } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: merchant.merchantId, name: "no payments", permissions: ["balances:read"] },
  ));
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
  rmSync(workDir, { recursive: true, force: true });
  delete process.env.RATES_FILE;
  delete process.env.CHAINS_FILE;
});

function get(key: string | null, query = "") {
  return route.GET(
    new Request(`http://localhost/api/v1/rates${query}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    }),
    { params: Promise.resolve({}) },
  );
}

async function problem(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return ZProblem.parse(await response.json());
}

describe("GET /api/v1/rates", () => {
  it("needs an API key with payments:read", async () => {
    expect((await problem(await get(null, "?currency=USD"))).status).toBe(401);
    const refused = await get(keyWithoutPayments, "?currency=USD");
    expect(refused.status).toBe(403);
    expect((await problem(refused)).detail).toContain("payments:read");
  });

  it("lists every coin of the chains with its rate, source and age (devnet: fixed ETH, pegged USDC)", async () => {
    const response = await get(apiKey, "?currency=USD");
    expect(response.status).toBe(200);
    const body = ZRateList.parse(await response.json());
    expect(body.currency).toBe("USD");
    expect(body.data).toEqual([
      expect.objectContaining({
        chain: "local",
        token: "ETH",
        token_address: null,
        decimals: 18,
        rate: "3000",
        source: "fixed",
        age_seconds: 0,
        error: null,
      }),
      expect.objectContaining({
        chain: "local",
        token: "USDC",
        token_address: USDC.address,
        decimals: 6,
        rate: "1",
        source: "peg",
        error: null,
      }),
    ]);
    expect(Date.parse(body.data[0]?.as_of ?? "")).toBeGreaterThan(Date.now() - 60_000);
    // USD is the default; the code is case-insensitive.
    expect(ZRateList.parse(await (await get(apiKey)).json()).currency).toBe("USD");
    const euro = ZRateList.parse(await (await get(apiKey, "?currency=eur")).json());
    expect(euro.data.map((entry) => [entry.token, entry.rate])).toEqual([
      ["ETH", "2760"],
      ["USDC", "0.92"],
    ]);
  });

  it("answers 400 for an unsupported currency and 422 for an unknown chain or parameter", async () => {
    for (const currency of ["XYZ", "BTC", "US", "EURO"]) {
      const response = await get(apiKey, `?currency=${currency}`);
      expect(response.status, currency).toBe(400);
      expect((await problem(response)).code).toBe("bad_request");
    }
    expect((await problem(await get(apiKey, "?chain=nope"))).status).toBe(422);
    expect((await problem(await get(apiKey, "?currency=USD&amount=1"))).status).toBe(422);
  });

  it("lists a coin without a rate with the reason, and answers 503 rate_unavailable when no coin has one", async () => {
    // A rate source nobody listens on, and nothing stored: ETH has no rate.
    const down = join(workDir, "rates-down.yaml");
    writeFileSync(
      down,
      stringify({
        timeoutMs: 300,
        sources: { coinbase: { kind: "coinbase", url: "http://127.0.0.1:9/{base}-{quote}" } },
        assets: { ETH: { sources: { coinbase: "ETH" } }, USDC: { peg: "USD" } },
      }),
    );
    await loadRoute(down);
    const partial = ZRateList.parse(await (await get(apiKey, "?currency=USD")).json());
    expect(partial.data[0]).toMatchObject({ token: "ETH", rate: null, source: null, as_of: null });
    expect(partial.data[0]?.error).toMatch(/No rate source answered for ETH in USD/);
    expect(partial.data[1]).toMatchObject({ token: "USDC", rate: "1", source: "peg" });

    await loadRoute(down, []);
    const response = await get(apiKey, "?currency=USD");
    expect(response.status).toBe(503);
    const body = await problem(response);
    expect(body.code).toBe("rate_unavailable");
    expect(body.detail).toContain("ETH");
  });
});
