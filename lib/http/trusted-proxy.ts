import { isIP } from "node:net";

/** One proxy address or CIDR range from TRUSTED_PROXIES. */
export type TTrustedProxy = { network: string; prefix: number; family: "ipv4" | "ipv6" };

/** Accepts "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"; throws a readable message otherwise. */
export function parseTrustedProxy(entry: string): TTrustedProxy {
  const [address = "", prefixText] = entry.split("/");
  const version = isIP(address);
  if (version === 0) throw new Error(`${entry} is not an IP address or CIDR range`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  )
    throw new Error(`${entry}: the prefix length must be 0–${max}`);
  return { network: address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}
