import { randomBytes } from "node:crypto";
import { type IncomingMessage, Server } from "node:http";

/**
 * Next's route handlers, server actions and next-auth never see the TCP peer: `next start` only
 * copies it into `X-Forwarded-For` when the client sent none, so a client-sent header is
 * indistinguishable from it. The server process therefore stamps every incoming request with its
 * socket address in this header, overwriting whatever the client sent; the value carries a random
 * per-process token, so a request that reached Next before the stamp was installed (or any other
 * sender) cannot forge it.
 */
export const PEER_ADDRESS_HEADER = "x-ctrip-peer-address";

const state = globalThis as unknown as { ctripPeerToken?: string; ctripPeerStamped?: boolean };

function processToken(): string {
  state.ctripPeerToken ??= randomBytes(16).toString("hex");
  return state.ctripPeerToken;
}

/** The header value the stamp writes for `address` (tests use it to play a TCP peer). */
export function peerAddressHeaderValue(address: string): string {
  return `${processToken()} ${address}`;
}

/** The stamped peer address, or null when the header is missing or not ours. */
export function peerAddress(headers: Headers): string | null {
  const value = headers.get(PEER_ADDRESS_HEADER);
  const [token, address] = value?.split(" ") ?? [];
  return token === processToken() && address ? address : null;
}

/** Called once from instrumentation.ts in the Node server process. */
export function stampPeerAddresses(): void {
  if (state.ctripPeerStamped) return;
  state.ctripPeerStamped = true;
  const emit = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  Server.prototype.emit = function stampedEmit(this: Server, event: string | symbol, ...args: unknown[]) {
    const [request] = args as [IncomingMessage | undefined];
    if (event === "request" && request)
      request.headers[PEER_ADDRESS_HEADER] = peerAddressHeaderValue(
        request.socket.remoteAddress ?? "unknown",
      );
    return emit.call(this, event, ...args);
  } as typeof Server.prototype.emit;
}
