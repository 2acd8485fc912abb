import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { getCheckoutOrThrow } from "../checkout/get-checkout";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { PEER_ADDRESS_HEADER, peerAddressHeaderValue } from "./peer-address";
import { publicRoute } from "./public-route";
import { ZIdParams } from "./route-params";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const checkoutRoute = () =>
  publicRoute({
    params: ZIdParams("pay"),
    rateLimit: { perSecond: 1, burst: 2 },
    handler: ({ db, params }) => getCheckoutOrThrow(db, [testChain()], params.id),
    getDb: () => database.db,
  });
/** A request from TCP peer `ip`, optionally claiming another address in X-Forwarded-For. */
const call = (
  route: ReturnType<typeof checkoutRoute>,
  id: string,
  ip = "203.0.113.7",
  forwardedFor?: string,
) =>
  route(
    new Request(`http://pay.test/api/checkout/${id}`, {
      headers: {
        [PEER_ADDRESS_HEADER]: peerAddressHeaderValue(ip),
        ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
      },
    }),
    { params: Promise.resolve({ id }) },
  );

describe("publicRoute (checkout status)", () => {
  it("answers the projection, problem+json 404 for unknown or malformed ids, and 429 per client IP", async () => {
    const { merchantId } = await createMerchant(
      database.db,
      { name: "Shop", email: "shop@example.com", password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    );
    const payment = await createPayment(
      { actor: OPERATOR, db: database.db, chains: [testChain()], baseUrl: "http://pay.test" },
      merchantId,
      { chain: "local", amount: "1" },
    );
    const route = checkoutRoute();
    const ok = await call(route, payment.id);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(await ok.json()).toMatchObject({ id: payment.id, object: "checkout" });

    const unknown = await call(route, "pay_0000000000000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");

    const limited = await call(route, payment.id);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ code: "rate_limited", status: 429 });

    // Another client is not affected.
    expect((await call(route, "not-an-id", "198.51.100.1")).status).toBe(404);

    // Issue 16: a spoofed X-Forwarded-For gave a fresh bucket; without TRUSTED_PROXIES it is ignored.
    for (const spoofed of ["192.0.2.1", "192.0.2.2", "10.0.0.1, 192.0.2.3"])
      expect((await call(route, payment.id, "203.0.113.7", spoofed)).status).toBe(429);
  });
});
