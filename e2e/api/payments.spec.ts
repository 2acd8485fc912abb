import { ZEventObject } from "@/lib/events/event-object";
import { ZPaymentObject } from "@/lib/payments/payment-object";
import { createPaymentViaApi, expect, expectProblem, test } from "../fixtures";

/** Parses an EIP-681 payment URI back into its parts. */
function parseEip681(uri: string) {
  const native = /^ethereum:(0x[0-9a-fA-F]{40})@(\d+)\?value=(\d+)$/.exec(uri);
  if (native)
    return { to: native[1], chainId: Number(native[2]), token: null, amount: BigInt(native[3] ?? "") };
  const token =
    /^ethereum:(0x[0-9a-fA-F]{40})@(\d+)\/transfer\?address=(0x[0-9a-fA-F]{40})&uint256=(\d+)$/.exec(uri);
  if (token)
    return { to: token[3], chainId: Number(token[2]), token: token[1], amount: BigInt(token[4] ?? "") };
  throw new Error(`not an EIP-681 payment URI: ${uri}`);
}

test.describe("POST /api/v1/payments", () => {
  test("creates a USDC payment with exact amounts, a deposit address, EIP-681 URI and checkout URL", async ({
    request,
    merchant,
  }) => {
    const response = await request.post("/api/v1/payments", {
      headers: merchant.auth,
      data: {
        chain: "local",
        token: "usdc",
        amount: "12.345678",
        expires_in: 900,
        order_id: "order-1",
        description: "Two coffees",
        metadata: { customer: "c_1", vip: true },
        redirect_url: "https://shop.example/thanks",
      },
    });
    expect(response.status()).toBe(201);
    const payment = ZPaymentObject.parse(await response.json());
    expect(payment).toMatchObject({
      object: "payment",
      status: "pending",
      exception: null,
      chain: "local",
      chain_id: 31337,
      token: { symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 },
      amount: "12.345678",
      amount_base_units: "12345678",
      amount_received: "0",
      amount_received_base_units: "0",
      required_confirmations: 2,
      order_id: "order-1",
      metadata: { customer: "c_1", vip: true },
      redirect_url: "https://shop.example/thanks",
      transfers: [],
    });
    expect(payment.id).toMatch(/^pay_[0-9A-Za-z]{22}$/);
    expect(payment.checkout_url).toMatch(new RegExp(`/pay/${payment.id}$`));
    const expiresIn = Date.parse(payment.expires_at) - Date.parse(payment.created_at);
    expect(expiresIn).toBe(900_000);
    expect(parseEip681(payment.payment_uri ?? "")).toEqual({
      to: payment.address,
      chainId: 31337,
      token: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      amount: 12_345_678n,
    });
  });

  test("native ETH payments default to 30 minutes and encode wei in the URI", async ({
    request,
    merchant,
  }) => {
    const payment = await createPaymentViaApi(request, merchant, {
      chain: "local",
      amount: "0.123456789012345678",
    });
    expect(payment.token).toEqual({ symbol: "ETH", address: null, decimals: 18 });
    expect(payment.amount_base_units).toBe("123456789012345678");
    expect(Date.parse(payment.expires_at) - Date.parse(payment.created_at)).toBe(30 * 60_000);
    expect(parseEip681(payment.payment_uri ?? "")).toEqual({
      to: payment.address,
      chainId: 31337,
      token: null,
      amount: 123456789012345678n,
    });
  });

  test("writes payment.created in the outbox and lists it under /events", async ({ request, merchant }) => {
    const payment = await createPaymentViaApi(request, merchant);
    const list = await (
      await request.get(`/api/v1/events?type=payment.created&object_id=${payment.id}`, {
        headers: merchant.auth,
      })
    ).json();
    expect(list).toMatchObject({ object: "list", has_more: false, next_cursor: null });
    const event = ZEventObject.parse(list.data[0]);
    expect(event.data.object).toEqual(payment);
    const single = await (await request.get(`/api/v1/events/${event.id}`, { headers: merchant.auth })).json();
    expect(single).toEqual(event);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ["too many decimals", { amount: "1.0000001" }, "amount"],
    ["zero", { amount: "0" }, "amount"],
    ["negative", { amount: "-5" }, "amount"],
    ["exponent", { amount: "1e3" }, "amount"],
    ["absurd size", { amount: "9".repeat(90) }, "amount"],
    ["number instead of string", { amount: 12.5 }, "amount"],
    ["missing amount", { amount: undefined }, "amount"],
    ["unknown chain", { chain: "mainnet" }, "chain"],
    ["unknown token", { token: "DOGE" }, "token"],
    ["expires_in too short", { expires_in: 59 }, "expires_in"],
    ["expires_in too long", { expires_in: 8 * 24 * 3600 }, "expires_in"],
    ["expires_in fractional", { expires_in: 90.5 }, "expires_in"],
    ["order_id too long", { order_id: "o".repeat(201) }, "order_id"],
    ["description too long", { description: "d".repeat(1001) }, "description"],
    [
      "metadata too many keys",
      { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) },
      "metadata",
    ],
    ["metadata nested object", { metadata: { nested: { deep: 1 } } }, "metadata.nested"],
    ["metadata value too long", { metadata: { note: "x".repeat(501) } }, "metadata.note"],
    ["redirect_url not http", { redirect_url: "javascript:alert(1)" }, "redirect_url"],
    ["redirect_url ftp", { redirect_url: "ftp://files.example/x" }, "redirect_url"],
    ["unknown field", { amount_usd: "5" }, ""],
  ];
  for (const [name, override, path] of invalid)
    test(`rejects ${name} with 422 and the field path`, async ({ request, merchant }) => {
      const data = { chain: "local", token: "USDC", amount: "1", ...override };
      const problem = await expectProblem(
        await request.post("/api/v1/payments", { headers: merchant.auth, data }),
        422,
        "validation_failed",
      );
      expect(problem.errors?.length).toBeGreaterThan(0);
      if (path) expect(problem.errors?.map((e) => e.path)).toContain(path);
      const list = await (await request.get("/api/v1/payments", { headers: merchant.auth })).json();
      expect(list.data).toEqual([]);
    });

  test("malformed JSON is 400, a non-JSON content type 415, an oversized body 413", async ({
    request,
    merchant,
  }) => {
    const post = (body: string, contentType = "application/json") =>
      request.post("/api/v1/payments", {
        headers: { ...merchant.auth, "content-type": contentType },
        data: Buffer.from(body),
      });
    await expectProblem(await post('{"chain": "local",'), 400, "invalid_json");
    await expectProblem(
      await post("chain=local&amount=1", "application/x-www-form-urlencoded"),
      415,
      "unsupported_media_type",
    );
    await expectProblem(
      await post(JSON.stringify({ chain: "local", amount: "1", description: "x".repeat(70_000) })),
      413,
      "payload_too_large",
    );
  });
});

test.describe("GET /api/v1/payments", () => {
  test("paginates newest first without gaps or repeats, and filters", async ({ request, merchant }) => {
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      const body =
        i % 3 === 0
          ? { chain: "local", amount: "1", order_id: "eth-order" }
          : { chain: "local", token: "USDC", amount: `${i + 1}` };
      created.push((await createPaymentViaApi(request, merchant, body)).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor ? `limit=5&starting_after=${cursor}` : "limit=5";
      const list = await (await request.get(`/api/v1/payments?${query}`, { headers: merchant.auth })).json();
      seen.push(...list.data.map((p: { id: string }) => p.id));
      expect(list.has_more).toBe(list.next_cursor !== null);
      if (!list.has_more) break;
      cursor = list.next_cursor;
    }
    expect(seen).toEqual([...created].reverse());

    const byToken = await (
      await request.get("/api/v1/payments?token=ETH&limit=100", { headers: merchant.auth })
    ).json();
    expect(byToken.data).toHaveLength(8);
    const byOrder = await (
      await request.get("/api/v1/payments?order_id=eth-order&limit=100", { headers: merchant.auth })
    ).json();
    expect(byOrder.data.map((p: { id: string }) => p.id).sort()).toEqual(
      byToken.data.map((p: { id: string }) => p.id).sort(),
    );
    const pending = await (
      await request.get("/api/v1/payments?status=pending&chain=local&limit=100", { headers: merchant.auth })
    ).json();
    expect(pending.data).toHaveLength(23);
    expect(
      (await (await request.get("/api/v1/payments?status=canceled", { headers: merchant.auth })).json()).data,
    ).toEqual([]);

    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    expect(
      (
        await (
          await request.get(`/api/v1/payments?created[gte]=${future}`, { headers: merchant.auth })
        ).json()
      ).data,
    ).toEqual([]);
    const all = await (
      await request.get(`/api/v1/payments?created[lte]=${future}&limit=100`, { headers: merchant.auth })
    ).json();
    expect(all.data).toHaveLength(23);
    const unixNow = Math.floor(Date.now() / 1000) + 60;
    expect(
      (
        await (
          await request.get(`/api/v1/payments?created[lte]=${unixNow}&limit=100`, { headers: merchant.auth })
        ).json()
      ).data,
    ).toHaveLength(23);
  });

  test("rejects bad list parameters with 422", async ({ request, merchant }) => {
    for (const query of [
      "limit=0",
      "limit=101",
      "limit=abc",
      "status=paid",
      "created[gte]=yesterday",
      "colour=blue",
    ])
      await expectProblem(
        await request.get(`/api/v1/payments?${query}`, { headers: merchant.auth }),
        422,
        "validation_failed",
      );
  });
});

test.describe("POST /api/v1/payments/{id}/cancel", () => {
  test("cancels a pending payment once, recording the event", async ({ request, merchant }) => {
    const payment = await createPaymentViaApi(request, merchant);
    const response = await request.post(`/api/v1/payments/${payment.id}/cancel`, { headers: merchant.auth });
    expect(response.status()).toBe(200);
    expect((await response.json()).status).toBe("canceled");
    await expectProblem(
      await request.post(`/api/v1/payments/${payment.id}/cancel`, { headers: merchant.auth }),
      409,
      "invalid_state",
    );
    const events = await (
      await request.get(`/api/v1/events?object_id=${payment.id}`, { headers: merchant.auth })
    ).json();
    expect(events.data.map((e: { type: string }) => e.type)).toEqual(["payment.canceled", "payment.created"]);
  });

  test("refuses once funds were received", async ({ request, merchant, db }) => {
    const payment = await createPaymentViaApi(request, merchant);
    await db.payment.update({ where: { id: payment.id }, data: { amountReceived: "1" } });
    const problem = await expectProblem(
      await request.post(`/api/v1/payments/${payment.id}/cancel`, { headers: merchant.auth }),
      409,
      "invalid_state",
    );
    expect(problem.detail).toContain("already received funds");
  });
});
