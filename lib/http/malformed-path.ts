import { AppError, problemResponse } from "../errors";

/**
 * A 400 problem+json for a path that is not valid percent-encoding (`/api/v1/payments/%zz`), else
 * undefined. Next decodes route params itself and answered such paths with a bare 500 before any of
 * our code ran (found by e2e/api/hostile-http.spec.ts); the proxy refuses them first.
 */
export function malformedPathResponse(pathname: string): Response | undefined {
  try {
    decodeURIComponent(pathname);
    return undefined;
  } catch {
    return problemResponse(new AppError("bad_request", "The URL path is not valid percent-encoding."));
  }
}
