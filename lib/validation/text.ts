import { z } from "zod";

/**
 * Free text that will be stored. PostgreSQL refuses the NUL character in text ("invalid byte
 * sequence for encoding UTF8: 0x00"), so it is refused here, as a validation error naming the field,
 * on every path — the API (which also checks whole bodies first), the dashboard's forms, the CLI.
 */
export function zText() {
  return z.string().refine((value) => !value.includes("\u0000"), "must not contain the NUL character");
}
