import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { AppError, ERROR_CODES, toProblem } from "../errors";
import { ZIdParams } from "../http/route-params";
import { ZCreatePayment } from "../payments/create-payment";
import {
  FIAT_PAYMENT_KEYS,
  type PaymentRow,
  serializePayment,
  ZPaymentObject,
} from "../payments/payment-object";
import { buildOpenApiDocument, exampleId, OPERATIONS, ZProblem } from "./build-openapi-document";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const doc = buildOpenApiDocument({ serverUrl: "http://localhost:3000" });

/** `METHOD /url/path` for every exported handler of every route file under `folder` (catch-alls skipped). */
function routeOperations(folder: string): string[] {
  const files = readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(`${sep}route.ts`) || file === "route.ts",
  );
  return files.flatMap((file) => {
    const segments = relative(ROOT, join(ROOT, folder, file))
      .split(sep)
      .slice(1, -1);
    if (segments.some((segment) => segment.startsWith("[..."))) return [];
    const path = `/${segments.map((segment) => segment.replace(/^\[(\w+)\]$/, "{$1}")).join("/")}`;
    const source = readFileSync(join(ROOT, folder, file), "utf8");
    const methods = source.matchAll(
      /export\s+(?:const|(?:async\s+)?function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g,
    );
    return [...methods].map(([, method]) => `${method} ${path}`);
  });
}

function documentedOperations(prefix: string): string[] {
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith(prefix))
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
}

function sampleFiatColumns(): Partial<PaymentRow> {
  const decimal = (value: string) => ({ toFixed: () => value });
  return {
    priceAmount: decimal("2000"),
    priceCurrency: "USD",
    valueReceived: decimal("0"),
    optionPaid: false,
    options: [
      {
        chain: "local",
        chainId: 31337,
        tokenSymbol: "USDC",
        tokenAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        tokenDecimals: 6,
        amount: decimal("20000000"),
        rate: "1",
        quoteExpiresAt: new Date("2026-01-02T03:19:05.000Z"),
      },
    ],
    unattributedTransfers: [],
  };
}

function samplePaymentRow(): PaymentRow {
  const decimal = (value: string) => ({ toFixed: () => value });
  const created = new Date("2026-01-02T03:04:05.000Z");
  return {
    id: exampleId("pay"),
    status: "detected",
    exception: null,
    chain: "local",
    chainId: 31337,
    tokenSymbol: "USDC",
    tokenAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    tokenDecimals: 6,
    amount: decimal("12500000"),
    amountReceived: decimal("12500000"),
    depositAddress: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    requiredConfirmations: 2,
    confirmations: 1,
    expiresAt: new Date(created.getTime() + 3_600_000),
    createdAt: created,
    detectedAt: new Date(created.getTime() + 60_000),
    confirmedAt: null,
    settledAt: null,
    orderId: "order_1001",
    description: null,
    metadata: { customer_id: "cus_42" },
    redirectUrl: null,
    optionPaid: true,
    transfers: [
      {
        txHash: `0x${"ab".repeat(32)}`,
        logIndex: 0,
        fromAddress: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        amount: decimal("12500000"),
        blockNumber: 42n,
        confirmations: 1,
        status: "confirming",
      },
    ],
  };
}

describe("buildOpenApiDocument", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validated = await SwaggerParser.validate(
      structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.validate>[0],
    );
    expect(validated).toHaveProperty("openapi", "3.1.0");
    expect(doc.info).toMatchObject({ title: "cTrip Pay API", version: "1.0.0" });
    expect(doc.servers).toEqual([{ url: "http://localhost:3000" }]);
  });

  it("documents exactly the routes under app/api/v1, and the health check", () => {
    const routes = routeOperations("app/api/v1");
    expect(routes.length).toBeGreaterThan(0);
    expect(documentedOperations("/api/v1/").sort()).toEqual(routes.sort());
    expect(documentedOperations("/api/health")).toEqual(routeOperations("app/api/health"));
  });

  it("states the permission every private operation needs (x-permission, description, 403)", () => {
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(methods)) {
        if (!operation || operation.security?.length === 0) continue;
        const permission = operation["x-permission"];
        expect(permission, `${method} ${path}`).toMatch(/^[a-z]+:(read|write|approve)$/);
        expect(operation.description, `${method} ${path}`).toContain(`\`${permission}\` permission`);
        expect(operation.responses["403"], `${method} ${path}`).toBeDefined();
        checked += 1;
      }
    expect(checked).toBeGreaterThan(25);
  });

  it("describes the payment object exactly as serializePayment emits it", () => {
    const sample = serializePayment(samplePaymentRow(), "http://localhost:3000");
    expect(ZPaymentObject.parse(sample)).toEqual(sample);
    const payment = doc.components.schemas.Payment;
    expect([...(payment.required ?? [])].sort()).toEqual(Object.keys(sample).sort());
    // A fiat-priced payment has these too (optional in the document).
    const fiat = serializePayment({ ...samplePaymentRow(), ...sampleFiatColumns() }, "http://localhost:3000");
    expect(ZPaymentObject.parse(fiat)).toEqual(fiat);
    expect(Object.keys(fiat).sort()).toEqual([...Object.keys(sample), ...FIAT_PAYMENT_KEYS].sort());
    expect(Object.keys(payment.properties ?? {}).sort()).toEqual(Object.keys(fiat).sort());
    expect(fiat.options?.[0]).toMatchObject({ amount: "20", rate: "1" });
    expect(fiat.price).toEqual({ amount: "20.00", currency: "USD" });
    // Nothing paid yet: the coin fields name no option (DESIGN "Invoices priced in fiat").
    expect(fiat).toMatchObject({ chain: null, chain_id: null, token: null, amount: null, payment_uri: null });
    expect(sample.amount).toBe("12.5");
    expect(sample.amount_base_units).toBe("12500000");
  });

  it("describes problems exactly as toProblem renders them, with the closed code enum", () => {
    const problem = toProblem(
      new AppError("validation_failed", "Invalid body", { errors: [{ path: "amount", message: "bad" }] }),
      "req_1",
    );
    expect(ZProblem.parse(problem)).toEqual(problem);
    const schema = doc.components.schemas.Problem;
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(Object.keys(problem).sort());
    const code = schema.properties?.code;
    expect(typeof code === "object" && code.enum).toEqual(Object.keys(ERROR_CODES));
  });

  it("uses a $ref to a component for every body and a problem+json body for every error", () => {
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method} ${path}`;
        expect(operation.operationId, where).toBeTruthy();
        for (const [status, response] of Object.entries(operation.responses)) {
          const [contentType, media] = Object.entries(response.content ?? {})[0] ?? [];
          expect(media?.schema.$ref, `${where} ${status}`).toMatch(/^#\/components\/schemas\/\w+$/);
          if (Number(status) >= 400 && path.startsWith("/api/v1/")) {
            expect(contentType).toBe("application/problem+json");
            expect(media?.schema.$ref).toBe("#/components/schemas/Problem");
          }
        }
        if (operation.responses[429]) expect(operation.responses[429].headers).toHaveProperty("Retry-After");
        const idempotencyKey = operation.parameters.find((parameter) => parameter.name === "Idempotency-Key");
        if (method === "post") expect(idempotencyKey?.schema).toMatchObject({ maxLength: 255 });
        else expect(idempotencyKey).toBeUndefined();
        expect(operation.security ?? doc.security, where).toEqual(
          path.startsWith("/api/v1/") ? [{ apiKey: [] }] : [],
        );
      }
  });

  it("documents query strings as clients send them (input side of transforms and coercions)", () => {
    const list = doc.paths["/api/v1/payments"]?.get;
    const names = list?.parameters.filter((p) => p.in === "query").map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(["limit", "starting_after", "created[gte]", "created[lte]"]),
    );
    const limit = list?.parameters.find((p) => p.name === "limit");
    expect(limit).toMatchObject({
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
    });
    const createdGte = list?.parameters.find((p) => p.name === "created[gte]");
    expect(JSON.stringify(createdGte?.schema)).toContain("date-time");
    expect(JSON.stringify(doc)).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it("states the metadata key cap the zod refinement enforces", () => {
    // Both forms (single-coin and priced in fiat) share the field: read it from each.
    type Form = { properties: { metadata: { maxProperties?: number } } };
    const forms = doc.components.schemas.CreatePaymentRequest.anyOf as Form[];
    expect(forms).toHaveLength(2);
    const [cap, fiatCap] = forms.map((form) => form.properties.metadata.maxProperties);
    expect(cap).toBe(fiatCap);
    const withKeys = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, key) => [`k${key}`, key]));
    const body = { chain: "local", amount: "1" };
    expect(ZCreatePayment.safeParse({ ...body, metadata: withKeys(cap ?? 0) }).success).toBe(true);
    expect(ZCreatePayment.safeParse({ ...body, metadata: withKeys((cap ?? 0) + 1) }).success).toBe(false);
  });

  it("has examples the routes accept", () => {
    const create = OPERATIONS.find((operation) => operation.operationId === "createPayment");
    expect(() => ZCreatePayment.parse(create?.body?.example)).not.toThrow();
    for (const operation of OPERATIONS)
      if (operation.idPrefix)
        expect(ZIdParams(operation.idPrefix).safeParse({ id: exampleId(operation.idPrefix) }).success).toBe(
          true,
        );
  });
});
