import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { AppError } from "../errors";

// Private, loopback, link-local, CGNAT, unspecified and multicast ranges: a webhook URL pointing there
// would let an API key probe the gateway's own network (SSRF).
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 3],
] as const)
  PRIVATE.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  PRIVATE.addSubnet(network, prefix, "ipv6");

export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return PRIVATE.check(mapped[1], "ipv4");
  return PRIVATE.check(address, version === 4 ? "ipv4" : "ipv6");
}

export type ResolveHost = (hostname: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);

/**
 * Refuses a webhook URL whose host is (or resolves to) a private address, unless private targets
 * are allowed (embedded default, tests, WEBHOOK_ALLOW_PRIVATE_TARGETS=1). Checked when the endpoint
 * is saved and again before each attempt, since DNS can change in between.
 */
export async function assertWebhookTargetAllowed(
  url: string,
  options: { allowPrivateTargets: boolean; resolve?: ResolveHost },
): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw invalidUrl("must be an http or https URL");
  if (options.allowPrivateTargets) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else if (host === "localhost" || host.endsWith(".localhost")) addresses = ["127.0.0.1"];
  else {
    try {
      addresses = await (options.resolve ?? resolveWithDns)(host);
    } catch (error) {
      throw invalidUrl(`host ${host} does not resolve`, error);
    }
  }
  if (addresses.some(isPrivateAddress))
    throw invalidUrl(
      "private, loopback and link-local addresses are refused (set WEBHOOK_ALLOW_PRIVATE_TARGETS=1 to allow)",
    );
}

function invalidUrl(message: string, cause?: unknown): AppError {
  return new AppError("validation_failed", `url: ${message}`, { errors: [{ path: "url", message }], cause });
}
