// `npm run bench`: every benchmark, each printed next to a baseline measured in the same run.
// Exit code 1 when a benchmark had errors (or, with BENCH_STRICT=1, missed a target).
import { apiBenchmarkExitCode, printApiBenchmark, runApiBenchmark } from "./api";
import { runScannerBenchmark } from "./scanner";
import { runWebhooksBenchmark } from "./webhooks";

const api = await runApiBenchmark();
printApiBenchmark(api);
const scanner = await runScannerBenchmark();
const webhooks = await runWebhooksBenchmark();
process.exit(Math.max(apiBenchmarkExitCode(api), scanner, webhooks));
