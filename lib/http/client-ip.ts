import { BlockList, isIP } from "node:net";
import { env } from "../config/env";
import { peerAddress } from "./peer-address";
import type { TTrustedProxy } from "./trusted-proxy";

/**
 * The client address for throttles and the audit log. The TCP peer (stamped by the server, see
 * peer-address.ts) is the client unless it is one of TRUSTED_PROXIES; then `X-Forwarded-For` is
 * walked from the right, skipping trusted hops, and the first untrusted hop is the client (entries
 * further left were written by the client and are never believed). Without TRUSTED_PROXIES the
 * header is ignored. No stamped peer (a handler called outside the server) → "direct".
 */
export function clientIp(
  headers: Headers,
  trusted: readonly TTrustedProxy[] = env().TRUSTED_PROXIES ?? [],
): string {
  const peer = peerAddress(headers);
  if (!peer) return "direct";
  const proxies = blockList(trusted);
  if (!isTrusted(proxies, peer)) return normalized(peer);
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (const hop of hops.toReversed()) if (!isTrusted(proxies, hop)) return normalized(hop).slice(0, 64);
  return normalized(hops[0] ?? peer).slice(0, 64);
}

const lists = new WeakMap<readonly TTrustedProxy[], BlockList>();

function blockList(trusted: readonly TTrustedProxy[]): BlockList {
  let list = lists.get(trusted);
  if (!list) {
    list = new BlockList();
    for (const proxy of trusted) list.addSubnet(proxy.network, proxy.prefix, proxy.family);
    lists.set(trusted, list);
  }
  return list;
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`, how Node reports IPv4 peers on a dual-stack socket) → IPv4. */
function normalized(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
}

function isTrusted(proxies: BlockList, address: string): boolean {
  const plain = normalized(address);
  const version = isIP(plain);
  return version !== 0 && proxies.check(plain, version === 4 ? "ipv4" : "ipv6");
}
