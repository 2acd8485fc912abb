import { OPERATOR } from "@/lib/access/actor";
import { revokeApiKey } from "@/lib/api-keys/create-api-key";
import { createPaymentViaApi, expect, expectProblem, test } from "../fixtures";

test.describe("API authentication", () => {
  test("missing, malformed, unknown and revoked keys get 401 problem+json", async ({
    request,
    merchant,
    db,
  }) => {
    await expectProblem(await request.get("/api/v1/payments"), 401, "unauthorized");
    await expectProblem(
      await request.get("/api/v1/payments", { headers: { authorization: "Basic Zm9vOmJhcg==" } }),
      401,
      "unauthorized",
    );
    await expectProblem(
      await request.get("/api/v1/payments", { headers: { authorization: "Bearer sk_123" } }),
      401,
      "unauthorized",
    );
    await expectProblem(
      await request.get("/api/v1/payments", { headers: { authorization: `Bearer sk_${"x".repeat(43)}` } }),
      401,
      "unauthorized",
    );

    expect((await request.get("/api/v1/payments", { headers: merchant.auth })).status()).toBe(200);
    await revokeApiKey(
      { db: db, actor: OPERATOR },
      { merchantId: merchant.merchantId, id: merchant.apiKeyId },
    );
    // The server's key cache learns of a revocation from PostgreSQL's notification: on every
    // instance within 1 s (lib/api-keys/api-key-cache.test.ts), not necessarily before the very
    // next request of another process. Once refused, the key stays refused.
    await expect
      .poll(async () => (await request.get("/api/v1/payments", { headers: merchant.auth })).status(), {
        timeout: 1_000,
        intervals: [10, 25, 50, 100],
      })
      .toBe(401);
    const revoked = await request.get("/api/v1/payments", { headers: merchant.auth });
    await expectProblem(revoked, 401, "unauthorized");
    expect(revoked.headers()["www-authenticate"]).toContain("Bearer");
  });

  test("every answer carries a request id", async ({ request, merchant }) => {
    const ok = await request.get("/api/v1/payments", { headers: merchant.auth });
    expect(ok.headers()["request-id"]).toMatch(/^req_/);
    const problem = await expectProblem(await request.get("/api/v1/payments"), 401, "unauthorized");
    expect(problem.request_id).toMatch(/^req_/);
  });

  test("unknown API paths answer 404 problem+json", async ({ request, merchant }) => {
    await expectProblem(
      await request.get("/api/v1/nothing-here", { headers: merchant.auth }),
      404,
      "not_found",
    );
  });
});

test.describe("merchant isolation", () => {
  test("another merchant's payment and events are a 404 on every endpoint, never data", async ({
    request,
    merchant,
    otherMerchant,
  }) => {
    const payment = await createPaymentViaApi(request, merchant);
    const events = await (
      await request.get(`/api/v1/events?object_id=${payment.id}`, { headers: merchant.auth })
    ).json();
    expect(events.data).toHaveLength(1);
    const eventId = events.data[0].id;

    const as = otherMerchant.auth;
    await expectProblem(
      await request.get(`/api/v1/payments/${payment.id}`, { headers: as }),
      404,
      "not_found",
    );
    await expectProblem(
      await request.post(`/api/v1/payments/${payment.id}/cancel`, { headers: as }),
      404,
      "not_found",
    );
    await expectProblem(await request.get(`/api/v1/events/${eventId}`, { headers: as }), 404, "not_found");

    const theirPayments = await (await request.get("/api/v1/payments", { headers: as })).json();
    expect(theirPayments.data).toEqual([]);
    const theirEvents = await (
      await request.get(`/api/v1/events?object_id=${payment.id}`, { headers: as })
    ).json();
    expect(theirEvents.data).toEqual([]);
    await expectProblem(
      await request.get(`/api/v1/payments?starting_after=${payment.id}`, { headers: as }),
      422,
      "validation_failed",
    );

    // The payment is untouched for its owner.
    const mine = await (
      await request.get(`/api/v1/payments/${payment.id}`, { headers: merchant.auth })
    ).json();
    expect(mine.status).toBe("pending");
  });

  test("malformed ids are a plain 404", async ({ request, merchant }) => {
    await expectProblem(
      await request.get("/api/v1/payments/pay_short", { headers: merchant.auth }),
      404,
      "not_found",
    );
    await expectProblem(
      await request.get("/api/v1/payments/evt_3MnDXB229P21aclW5C6TlC", { headers: merchant.auth }),
      404,
      "not_found",
    );
  });
});
