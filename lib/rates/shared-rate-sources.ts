import { configuredRates } from "../config/rates";
import { RateSources } from "./rate-sources";

let shared: RateSources | undefined;

/** The process-wide sources of RATES_FILE: one breaker per source for every caller in this process. */
export function sharedRateSources(): RateSources {
  shared ??= new RateSources(configuredRates());
  return shared;
}
