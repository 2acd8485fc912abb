import { benchNext, benchNextGet } from "@/lib/http/bench-routes";

export const dynamic = "force-dynamic";

/** Benchmark floor (bench/api.ts); 404 unless CTRIP_BENCH_ROUTES=1. */
export const POST = benchNext;
export const GET = benchNextGet;
