import { z } from "zod";
import type { IdPrefix } from "../ids";

/** Path params `{ id }` of the given prefix; anything else is a 404 (ids are not enumerable). */
export function ZIdParams(prefix: IdPrefix) {
  return z.object({ id: z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{22}$`)) });
}
