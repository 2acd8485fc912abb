import fc from "fast-check";
import { createPaymentViaApi, expect, expectProblem, test } from "../fixtures";

const body = { chain: "local", token: "USDC", amount: "5" };

test.describe("Idempotency-Key", () => {
  test("replays the first response for the same key and body", async ({ request, merchant }) => {
    const headers = { ...merchant.auth, "idempotency-key": "order-42-attempt" };
    const first = await request.post("/api/v1/payments", { headers, data: body });
    expect(first.status()).toBe(201);
    const replay = await request.post("/api/v1/payments", {
      headers,
      data: { amount: "5", token: "USDC", chain: "local" },
    });
    expect(replay.status()).toBe(201);
    expect(replay.headers()["idempotent-replayed"]).toBe("true");
    expect(await replay.json()).toEqual(await first.json());
    const list = await (await request.get("/api/v1/payments", { headers: merchant.auth })).json();
    expect(list.data).toHaveLength(1);
  });

  test("a different body with the same key is a 409, and 4xx answers are replayed too", async ({
    request,
    merchant,
  }) => {
    const headers = { ...merchant.auth, "idempotency-key": "k-1" };
    expect((await request.post("/api/v1/payments", { headers, data: body })).status()).toBe(201);
    await expectProblem(
      await request.post("/api/v1/payments", { headers, data: { ...body, amount: "6" } }),
      409,
      "idempotency_conflict",
    );

    const payment = await createPaymentViaApi(request, merchant);
    const cancelHeaders = { ...merchant.auth, "idempotency-key": "cancel-1" };
    expect(
      (await request.post(`/api/v1/payments/${payment.id}/cancel`, { headers: cancelHeaders })).status(),
    ).toBe(200);
    const replayed = await request.post(`/api/v1/payments/${payment.id}/cancel`, { headers: cancelHeaders });
    expect(replayed.status()).toBe(200);
    expect(replayed.headers()["idempotent-replayed"]).toBe("true");
  });

  test("keys longer than 255 characters are refused", async ({ request, merchant }) => {
    const headers = { ...merchant.auth, "idempotency-key": "k".repeat(256) };
    await expectProblem(
      await request.post("/api/v1/payments", { headers, data: body }),
      422,
      "validation_failed",
    );
  });

  test("20 concurrent identical requests create one payment", async ({ request, merchant }) => {
    const headers = { ...merchant.auth, "idempotency-key": "burst-1" };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        request.post("/api/v1/payments", { headers, data: { ...body, order_id: "burst" } }),
      ),
    );
    const statuses = responses.map((r) => r.status());
    expect(
      statuses.every((s) => s === 201),
      statuses.join(","),
    ).toBe(true);
    const ids = new Set(await Promise.all(responses.map(async (r) => (await r.json()).id)));
    expect(ids.size).toBe(1);
    const list = await (
      await request.get("/api/v1/payments?order_id=burst", { headers: merchant.auth })
    ).json();
    expect(list.data).toHaveLength(1);
  });
});

test.describe("concurrency", () => {
  test("200 concurrent creates get 200 distinct deposit addresses and indexes", async ({
    request,
    merchant,
    db,
  }) => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request.post("/api/v1/payments", { headers: merchant.auth, data: { ...body, order_id: `c-${i}` } }),
      ),
    );
    expect(responses.map((r) => r.status()).filter((s) => s !== 201)).toEqual([]);
    const payments = await Promise.all(responses.map((r) => r.json()));
    expect(new Set(payments.map((p) => p.address)).size).toBe(200);
    const rows = await db.payment.findMany({
      where: { merchantId: merchant.merchantId },
      select: { derivationIndex: true },
    });
    expect(new Set(rows.map((r) => r.derivationIndex)).size).toBe(200);
  });
});

test.describe("rate limiting", () => {
  test("a burst beyond the key's limit gets 429 with Retry-After", async ({ request, merchant }) => {
    // 200 at once, then 100/s: waves of 320 drain the bucket as long as the server answers faster
    // than it refills, however slow a loaded machine makes each wave.
    const responses: Awaited<ReturnType<typeof request.get>>[] = [];
    for (let wave = 0; wave < 5 && !responses.some((r) => r.status() === 429); wave++)
      responses.push(
        ...(await Promise.all(
          Array.from({ length: 320 }, () =>
            request.get("/api/v1/payments?limit=1", { headers: merchant.auth }),
          ),
        )),
      );
    const limited = responses.filter((r) => r.status() === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(responses.every((r) => r.status() === 200 || r.status() === 429)).toBe(true);
    const problem = await expectProblem(limited[0] as (typeof responses)[number], 429, "rate_limited");
    expect(problem.detail).toContain("retry");
    expect(Number(limited[0]?.headers()["retry-after"])).toBeGreaterThanOrEqual(1);
  });
});

test.describe("property: random bodies", () => {
  test("POST /api/v1/payments answers 2xx or a 4xx problem+json, never a 5xx", async ({
    request,
    merchant,
  }) => {
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt().map(String),
    );
    const amount = fc.oneof(
      fc.stringMatching(/^-?\d{0,40}(\.\d{0,20})?(e\d{1,3})?$/),
      fc.double().map(String),
      scalar,
    );
    const bodyArb = fc.oneof(
      fc.record(
        {
          chain: fc.oneof(fc.constant("local"), fc.string()),
          token: fc.oneof(fc.constantFrom("USDC", "ETH", "usdc", null), fc.string()),
          amount,
          expires_in: fc.oneof(fc.integer(), fc.double(), fc.string()),
          order_id: fc.oneof(fc.string({ maxLength: 300 }), scalar),
          description: scalar,
          metadata: fc.oneof(fc.dictionary(fc.string(), scalar, { maxKeys: 60 }), fc.jsonValue()),
          redirect_url: fc.oneof(fc.webUrl(), fc.string()),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(bodyArb, async (data) => {
        const response = await request.post("/api/v1/payments", {
          headers: { ...merchant.auth, "content-type": "application/json" },
          data: JSON.stringify(data),
        });
        const status = response.status();
        if (status >= 500) return false;
        if (status >= 400)
          return (response.headers()["content-type"] ?? "").includes("application/problem+json");
        return status === 201;
      }),
      { numRuns: 150 },
    );
  });
});
