import { env } from "./env";

/** Base URL customers and integrators reach the gateway at (checkout links, sign-in). */
export function publicUrl(): string {
  const config = env();
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, "");
}
