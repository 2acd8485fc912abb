import { benchInsert } from "@/lib/http/bench-routes";

export const dynamic = "force-dynamic";

/** Benchmark floor with one INSERT (bench/api.ts); 404 unless CTRIP_BENCH_ROUTES=1. */
export const POST = benchInsert;
