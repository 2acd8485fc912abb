// A JSON-RPC proxy in front of a real Anvil node that stands in for a remote provider we do not run:
// it counts requests and can fail them the way providers do (HTTP 429/503, "too many results").
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type RpcRequest = { jsonrpc: "2.0"; id: number | string; method: string; params?: unknown[] };

/** What to do with one JSON-RPC call: forward it (null), answer a JSON-RPC error, or fail the HTTP request. */
export type RpcFault = null | { rpcError: { code: number; message: string } } | { httpStatus: number };

/** An `answer` that is a JSON-RPC error, as a node refusing the call would give. */
export class RpcErrorAnswer {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

export type RpcProxy = {
  url: string;
  /** JSON-RPC calls received (a batch counts each call). */
  calls: RpcRequest[];
  /** HTTP requests received (a batch is one). */
  httpRequests: number;
  fault: (call: RpcRequest) => RpcFault;
  /**
   * A node that lies or lags: a result to answer instead of the upstream's (`undefined` = forward),
   * or an RpcErrorAnswer. `forward` asks the real node, e.g. to answer its head minus 10.
   */
  answer: (call: RpcRequest, forward: (call: RpcRequest) => Promise<unknown>) => unknown;
  /** Added to every HTTP request, as the round trip to a remote provider would be. */
  latencyMs: number;
  /** The node goes away: the port stops listening (connections refused) and open connections are cut. */
  goDown(): Promise<void>;
  /** The node is back on the same URL. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
};

export async function startRpcProxy(upstream: string): Promise<RpcProxy> {
  const proxy: RpcProxy = {
    url: "",
    calls: [],
    httpRequests: 0,
    fault: () => null,
    answer: () => undefined,
    latencyMs: 0,
    goDown: async () => {},
    comeBack: async () => {},
    close: async () => {},
  };
  const server = createServer((request, response) => {
    // The upstream node may be gone (a power-loss scenario kills it): the caller sees a 502, as from
    // a provider whose backend is down, never an unhandled rejection in the test process.
    handle(request, response).catch(() => {
      if (!response.headersSent)
        response.writeHead(502, { "content-type": "text/plain" }).end("upstream down");
      else response.destroy();
    });
  });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    proxy.httpRequests += 1;
    if (proxy.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, proxy.latencyMs));
    const body = JSON.parse(await readBody(request)) as RpcRequest | RpcRequest[];
    const batch = Array.isArray(body) ? body : [body];
    proxy.calls.push(...batch);
    const faults = batch.map((call) => proxy.fault(call));
    const http = faults.find((fault) => fault !== null && "httpStatus" in fault);
    if (http && "httpStatus" in http) {
      response.writeHead(http.httpStatus, { "content-type": "text/plain" }).end("unavailable");
      return;
    }
    const answered = await Promise.all(
      batch.map((call, index) =>
        faults[index] === null ? proxy.answer(call, (c) => forwardOne(upstream, c)) : undefined,
      ),
    );
    const forwarded = batch.filter((_, index) => faults[index] === null && answered[index] === undefined);
    let answers: { id: number | string }[] = [];
    if (forwarded.length) {
      const upstreamResponse = await fetch(upstream, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(forwarded),
      });
      const text = await upstreamResponse.text();
      const parsed = JSON.parse(text) as unknown;
      if (!Array.isArray(parsed)) {
        // The node refused the batch as a whole: pass its answer through unchanged.
        response.writeHead(upstreamResponse.status, { "content-type": "application/json" }).end(text);
        return;
      }
      answers = parsed as { id: number | string }[];
    }
    const results = batch.map((call, index) => {
      const fault = faults[index];
      if (fault && "rpcError" in fault) return { jsonrpc: "2.0", id: call.id, error: fault.rpcError };
      const answer = answered[index];
      if (answer instanceof RpcErrorAnswer)
        return { jsonrpc: "2.0", id: call.id, error: { code: answer.code, message: answer.message } };
      if (answered[index] !== undefined) return { jsonrpc: "2.0", id: call.id, result: answered[index] };
      return answers.find((answer) => answer.id === call.id);
    });
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(Array.isArray(body) ? results : results[0]));
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  proxy.url = `http://127.0.0.1:${port}`;
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  proxy.goDown = stopListening;
  proxy.comeBack = () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  proxy.close = () => (server.listening ? stopListening() : Promise.resolve());
  return proxy;
}

async function forwardOne(upstream: string, call: RpcRequest): Promise<unknown> {
  const response = await fetch(upstream, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...call, id: 1 }),
  });
  return ((await response.json()) as { result?: unknown }).result;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
