import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError, problemResponse } from "../errors";
import type { Logger } from "../logger";
import { authorizeScrape } from "./authorize-scrape";
import { type RenderMetricsDeps, renderMetrics } from "./render-metrics";

export type MetricsServer = { port: number; close(): Promise<void> };

/**
 * The metrics of a process that serves no HTTP otherwise (`npm run worker`, with WORKER_METRICS_PORT):
 * GET /metrics in the same format and behind the same METRICS_TOKEN as the app's /api/metrics.
 */
export async function serveMetrics(options: {
  port: number;
  host?: string;
  token: string | undefined;
  logger: Logger;
  deps?: RenderMetricsDeps;
}): Promise<MetricsServer> {
  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const request = new Request(`http://metrics${incoming.url ?? "/"}`, {
        method: incoming.method,
        headers: { authorization: incoming.headers.authorization ?? "" },
      });
      let response: Response;
      try {
        if (new URL(request.url).pathname !== "/metrics" || request.method !== "GET")
          throw new AppError("not_found", "GET /metrics is the only resource here.");
        authorizeScrape(request, options.token);
        response = new Response(await renderMetrics(options.deps), {
          headers: {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
            "cache-control": "no-store",
          },
        });
      } catch (error) {
        if (!(error instanceof AppError)) options.logger.error("metrics scrape failed", { error });
        response = problemResponse(
          error instanceof AppError
            ? error
            : new AppError("service_unavailable", "The metrics are unavailable."),
        );
      }
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      outgoing.end(await response.text());
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
