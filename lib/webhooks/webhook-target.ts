import type { LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { AppError } from "../errors";

/**
 * Where a webhook may be delivered: public addresses always; loopback only while every configured
 * chain is a local devnet (lib/config/devnet.ts); link-local (cloud metadata at 169.254.169.254),
 * private, reserved, documentation and multicast ranges never. A webhook URL pointing there would
 * let an API key probe the gateway's own network (SSRF).
 */
export type TAddressClass = "public" | "loopback" | "forbidden";

export type TWebhookTargetPolicy = {
  /** True only on the devnet: then 127.0.0.0/8 and ::1 are allowed (never link-local or private). */
  allowLoopbackTargets: boolean;
  resolveHost?: ResolveHost;
};

const LOOPBACK_V4 = subnets("ipv4", [["127.0.0.0", 8]]);
const FORBIDDEN_V4 = subnets("ipv4", [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
]);
const FORBIDDEN_V6 = subnets("ipv6", [
  ["::", 96], // unspecified and IPv4-compatible (::a.b.c.d, deprecated)
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard-only
  ["2001::", 23], // IETF protocol assignments, Teredo (obfuscated IPv4)
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
]);

function subnets(family: "ipv4" | "ipv6", ranges: [string, number][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

/** The IPv4 address embedded in an IPv4-mapped (::ffff:), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
function embeddedIpv4(address: string): string | null {
  const groups = expandIpv6(address);
  if (!groups) return null;
  const at = (index: number) => groups[index] ?? 0;
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const zeroes = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zeroes(0, 5) && at(5) === 0xffff) return v4(at(6), at(7));
  if (at(0) === 0x64 && at(1) === 0xff9b && zeroes(2, 6)) return v4(at(6), at(7));
  if (at(0) === 0x2002) return v4(at(1), at(2));
  return null;
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail included), or null. */
function expandIpv6(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const part = (value: string) =>
    value === "" ? [] : value.split(":").map((group) => Number.parseInt(group, 16));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export function classifyAddress(address: string): TAddressClass {
  const version = isIP(address);
  if (version === 4) {
    if (LOOPBACK_V4.check(address, "ipv4")) return "loopback";
    return FORBIDDEN_V4.check(address, "ipv4") ? "forbidden" : "public";
  }
  if (version !== 6) return "forbidden";
  const embedded = embeddedIpv4(address);
  if (embedded) return classifyAddress(embedded);
  if (expandIpv6(address)?.every((group, index) => group === (index === 7 ? 1 : 0))) return "loopback";
  return FORBIDDEN_V6.check(address, "ipv6") ? "forbidden" : "public";
}

/** True for any address a production gateway refuses (loopback included). */
export function isPrivateAddress(address: string): boolean {
  return classifyAddress(address) !== "public";
}

export type ResolveHost = (hostname: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

/** Throws unless every address is allowed by the policy. */
export function assertAddressesAllowed(
  host: string,
  addresses: readonly string[],
  policy: Pick<TWebhookTargetPolicy, "allowLoopbackTargets">,
): void {
  if (addresses.length === 0) throw invalidUrl(`host ${host} does not resolve`);
  for (const address of addresses) {
    const addressClass = classifyAddress(address);
    if (addressClass === "public" || (addressClass === "loopback" && policy.allowLoopbackTargets)) continue;
    throw invalidUrl(
      addressClass === "loopback"
        ? `${host} resolves to the loopback address ${address}: allowed only when every chain is a local devnet`
        : `${host} resolves to ${address}: private, link-local, reserved and multicast addresses are refused`,
    );
  }
}

/** Resolves a host name (or takes an IP literal) and checks every address against the policy. */
export async function resolveAllowedAddresses(host: string, policy: TWebhookTargetPolicy): Promise<string[]> {
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else if (host === "localhost" || host.endsWith(".localhost")) addresses = ["127.0.0.1"];
  else {
    try {
      addresses = await (policy.resolveHost ?? resolveWithDns)(host);
    } catch (error) {
      throw invalidUrl(`host ${host} does not resolve`, error);
    }
  }
  assertAddressesAllowed(host, addresses, policy);
  return addresses;
}

/**
 * Checked when an endpoint is saved, so a bad URL is a 422 at once. Delivery checks again at
 * connect time (webhookLookup), on the very addresses it connects to: DNS can change in between
 * (rebinding), so this check alone proves nothing about where a delivery goes.
 */
export async function assertWebhookTargetAllowed(url: string, policy: TWebhookTargetPolicy): Promise<void> {
  const parsed = parseWebhookUrl(url);
  await resolveAllowedAddresses(bareHost(parsed), policy);
}

export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw invalidUrl("must be an absolute http or https URL", error);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw invalidUrl("must be an http or https URL");
  return parsed;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request: the socket connects only to addresses that were resolved and
 * checked in this very call, so a name cannot resolve to a public address for a check and to
 * 169.254.169.254 for the connection. TLS keeps the URL's host name for SNI and certificate checks.
 */
export function webhookLookup(policy: TWebhookTargetPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveAllowedAddresses(hostname.replace(/^\[|\]$/g, ""), policy).then(
      (addresses) => {
        const entries = addresses.map((address) => ({ address, family: isIP(address) }));
        const [first] = entries;
        if (options.all) callback(null, entries);
        else if (first) callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}

function invalidUrl(message: string, cause?: unknown): AppError {
  return new AppError("validation_failed", `url: ${message}`, { errors: [{ path: "url", message }], cause });
}
