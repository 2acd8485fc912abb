// The framework floor of `npm run bench:api` (bench/api.ts), measured in the same build as the API:
// /api/bench/next parses the JSON body and answers 201 without auth or database; /api/bench/insert
// adds the one INSERT of the node:http baseline through the app's own pool. Neither exists unless
// CTRIP_BENCH_ROUTES=1 (lib/config/env.ts): a 404 like any unknown API path otherwise.
import { env } from "../config/env";
import { db } from "../db/client";
import { rawPool } from "../db/raw-pool";
import { AppError, problemResponse } from "../errors";

type BenchBody = { chain: string; token: string | null; amount: bigint };

/** USDC on the local chain has 6 decimals; the baseline stores base units like the app does. */
const DECIMALS = 6;

function disabled(request: Request): Response | undefined {
  if (env().CTRIP_BENCH_ROUTES) return undefined;
  return problemResponse(
    new AppError("not_found", `No API endpoint ${request.method} ${new URL(request.url).pathname}`),
  );
}

async function parse(request: Request): Promise<BenchBody | Response> {
  let body: { chain?: unknown; token?: unknown; amount?: unknown };
  try {
    body = JSON.parse(await request.text());
  } catch {
    return new Response(null, { status: 400 });
  }
  const match = typeof body.amount === "string" ? /^(\d+)(?:\.(\d+))?$/.exec(body.amount) : null;
  const fraction = match?.[2] ?? "";
  if (typeof body.chain !== "string" || !match || fraction.length > DECIMALS)
    return new Response(null, { status: 422 });
  return {
    chain: body.chain,
    token: typeof body.token === "string" ? body.token : null,
    amount: BigInt(`${match[1]}${fraction.padEnd(DECIMALS, "0")}`),
  };
}

function created(id: string, body: BenchBody): Response {
  return Response.json(
    { id, chain: body.chain, token: body.token, amount: body.amount.toString() },
    { status: 201 },
  );
}

/** POST /api/bench/next: the bare route handler. */
export async function benchNext(request: Request): Promise<Response> {
  const off = disabled(request);
  if (off) return off;
  const body = await parse(request);
  return body instanceof Response ? body : created("0", body);
}

/** GET /api/bench/next: the bare route handler without a body (the floor of the read routes). */
export async function benchNextGet(request: Request): Promise<Response> {
  return disabled(request) ?? Response.json({ id: "0", object: "bench" });
}

/** POST /api/bench/insert: the bare route handler + one INSERT into bench_baseline (made by the bench). */
export async function benchInsert(request: Request): Promise<Response> {
  const off = disabled(request);
  if (off) return off;
  const body = await parse(request);
  if (body instanceof Response) return body;
  const pool = await rawPool(db());
  if (!pool) throw new Error("the process-wide client has no raw pool");
  const { rows } = await pool.query<{ id: string }>(
    "INSERT INTO bench_baseline (chain, token, amount) VALUES ($1, $2, $3) RETURNING id",
    [body.chain, body.token, body.amount.toString()],
  );
  return created(rows[0]?.id ?? "", body);
}
