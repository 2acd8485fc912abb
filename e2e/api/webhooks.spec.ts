import { Webhook } from "standardwebhooks";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { createPaymentViaApi, expect, expectProblem, test } from "../fixtures";

// A local receiver on 127.0.0.1 stands in for the merchant's server; the gateway (embedded default)
// allows loopback targets.
let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver((request) => (request.body.includes('"fail-me"') ? 500 : 200));
});
test.afterAll(async () => {
  await receiver.close();
});

test.describe("webhook endpoints API", () => {
  test("creates an endpoint whose secret is shown once, then delivers signed events to it", async ({
    request,
    merchant,
  }) => {
    const created = await request.post("/api/v1/webhook-endpoints", {
      headers: merchant.auth,
      data: { url: receiver.url, enabled_events: ["payment.created"], description: "e2e" },
    });
    expect(created.status(), await created.text()).toBe(201);
    const endpoint = await created.json();
    expect(endpoint).toMatchObject({
      id: expect.stringMatching(/^we_[0-9A-Za-z]{22}$/),
      object: "webhook_endpoint",
      url: receiver.url,
      enabled_events: ["payment.created"],
      status: "enabled",
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const fetched = await (
      await request.get(`/api/v1/webhook-endpoints/${endpoint.id}`, { headers: merchant.auth })
    ).json();
    expect(fetched.secret).toBeUndefined();
    const list = await (await request.get("/api/v1/webhook-endpoints", { headers: merchant.auth })).json();
    expect(list.data.map((item: { id: string }) => item.id)).toEqual([endpoint.id]);

    const payment = await createPaymentViaApi(request, merchant);
    const event = (
      await (await request.get(`/api/v1/events?object_id=${payment.id}`, { headers: merchant.auth })).json()
    ).data[0];
    await expect
      .poll(() => receiver.received.find((webhook) => webhook.headers["webhook-id"] === event.id))
      .toBeTruthy();
    const webhook = receiver.received.find((item) => item.headers["webhook-id"] === event.id);
    if (!webhook) throw new Error("not received");
    expect(new Webhook(endpoint.secret).verify(webhook.body, webhook.headers)).toEqual(event);

    const deliveries = await (
      await request.get(`/api/v1/webhook-deliveries?event=${event.id}`, { headers: merchant.auth })
    ).json();
    expect(deliveries.data).toHaveLength(1);
    await expect
      .poll(async () => {
        const delivery = await request.get(`/api/v1/webhook-deliveries/${deliveries.data[0].id}`, {
          headers: merchant.auth,
        });
        return (await delivery.json()).status;
      })
      .toBe("succeeded");
    const delivery = await (
      await request.get(`/api/v1/webhook-deliveries/${deliveries.data[0].id}`, { headers: merchant.auth })
    ).json();
    expect(delivery).toMatchObject({
      object: "webhook_delivery",
      event_id: event.id,
      endpoint_id: endpoint.id,
      attempts: [{ attempt_number: 1, status_code: 200, response_snippet: "ok", error: null }],
    });

    const retried = await request.post(`/api/v1/webhook-deliveries/${delivery.id}/retry`, {
      headers: merchant.auth,
    });
    // A succeeded delivery is not resent: 409, and still one attempt.
    expect(retried.status(), await retried.text()).toBe(409);
    expect(retried.headers()["content-type"]).toContain("application/problem+json");

    const tested = await request.post(`/api/v1/webhook-endpoints/${endpoint.id}/test`, {
      headers: merchant.auth,
    });
    expect(await tested.json()).toMatchObject({ object: "webhook_test", succeeded: true, status_code: 200 });
  });

  test("lists events whose webhooks were not delivered", async ({ request, merchant }) => {
    await request.post("/api/v1/webhook-endpoints", { headers: merchant.auth, data: { url: receiver.url } });
    const failing = await createPaymentViaApi(request, merchant, {
      chain: "local",
      amount: "1",
      order_id: "fail-me",
    });
    const fine = await createPaymentViaApi(request, merchant, { chain: "local", amount: "1" });
    await expect
      .poll(async () => {
        const page = await (
          await request.get("/api/v1/events?delivery_success=false", { headers: merchant.auth })
        ).json();
        return page.data.map((event: { data: { object: { id: string } } }) => event.data.object.id);
      })
      .toEqual([failing.id]);
    await expect
      .poll(async () => {
        const page = await (
          await request.get("/api/v1/events?delivery_success=true", { headers: merchant.auth })
        ).json();
        return page.data.map((event: { data: { object: { id: string } } }) => event.data.object.id);
      })
      .toEqual([fine.id]);
  });

  test("validates URLs and event types, updates, rotates and deletes", async ({ request, merchant }) => {
    await expectProblem(
      await request.post("/api/v1/webhook-endpoints", {
        headers: merchant.auth,
        data: { url: "ftp://x.example" },
      }),
      422,
      "validation_failed",
    );
    await expectProblem(
      await request.post("/api/v1/webhook-endpoints", {
        headers: merchant.auth,
        data: { url: receiver.url, enabled_events: ["payment.nope"] },
      }),
      422,
      "validation_failed",
    );
    const endpoint = await (
      await request.post("/api/v1/webhook-endpoints", { headers: merchant.auth, data: { url: receiver.url } })
    ).json();
    const patched = await request.patch(`/api/v1/webhook-endpoints/${endpoint.id}`, {
      headers: merchant.auth,
      data: { status: "disabled", enabled_events: ["payment.expired"] },
    });
    expect(await patched.json()).toMatchObject({ status: "disabled", enabled_events: ["payment.expired"] });
    const rotated = await (
      await request.post(`/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { headers: merchant.auth })
    ).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    const deleted = await request.delete(`/api/v1/webhook-endpoints/${endpoint.id}`, {
      headers: merchant.auth,
    });
    expect(await deleted.json()).toEqual({ id: endpoint.id, object: "webhook_endpoint", deleted: true });
    await expectProblem(
      await request.get(`/api/v1/webhook-endpoints/${endpoint.id}`, { headers: merchant.auth }),
      404,
      "not_found",
    );
  });

  test("another merchant's endpoints and deliveries are a 404 on every route", async ({
    request,
    merchant,
    otherMerchant,
  }) => {
    const endpoint = await (
      await request.post("/api/v1/webhook-endpoints", { headers: merchant.auth, data: { url: receiver.url } })
    ).json();
    const payment = await createPaymentViaApi(request, merchant);
    await expect
      .poll(async () => {
        const page = await (
          await request.get("/api/v1/webhook-deliveries", { headers: merchant.auth })
        ).json();
        return page.data.length;
      })
      .toBe(1);
    const deliveries = await (
      await request.get("/api/v1/webhook-deliveries", { headers: merchant.auth })
    ).json();
    const deliveryId = deliveries.data[0].id;
    const other = { headers: otherMerchant.auth };
    await expectProblem(
      await request.get(`/api/v1/webhook-endpoints/${endpoint.id}`, other),
      404,
      "not_found",
    );
    await expectProblem(
      await request.patch(`/api/v1/webhook-endpoints/${endpoint.id}`, {
        ...other,
        data: { status: "disabled" },
      }),
      404,
      "not_found",
    );
    await expectProblem(
      await request.delete(`/api/v1/webhook-endpoints/${endpoint.id}`, other),
      404,
      "not_found",
    );
    await expectProblem(
      await request.post(`/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, other),
      404,
      "not_found",
    );
    await expectProblem(
      await request.post(`/api/v1/webhook-endpoints/${endpoint.id}/test`, other),
      404,
      "not_found",
    );
    await expectProblem(
      await request.get(`/api/v1/webhook-deliveries/${deliveryId}`, other),
      404,
      "not_found",
    );
    await expectProblem(
      await request.post(`/api/v1/webhook-deliveries/${deliveryId}/retry`, other),
      404,
      "not_found",
    );
    const otherLists = await Promise.all([
      request.get("/api/v1/webhook-endpoints", other),
      request.get(`/api/v1/webhook-deliveries?event=${payment.id}`, other),
      request.get("/api/v1/webhook-deliveries", other),
    ]);
    for (const response of otherLists) expect((await response.json()).data).toEqual([]);
    // The endpoint is untouched.
    expect(
      (
        await (
          await request.get(`/api/v1/webhook-endpoints/${endpoint.id}`, { headers: merchant.auth })
        ).json()
      ).status,
    ).toBe("enabled");
  });
});
