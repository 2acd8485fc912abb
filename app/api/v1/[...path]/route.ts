import { AppError, problemResponse } from "@/lib/errors";

export const dynamic = "force-dynamic";

// Unknown API paths answer in the API's own error format, not with an HTML page.
function notFound(request: Request): Response {
  return problemResponse(
    new AppError("not_found", `No API endpoint ${request.method} ${new URL(request.url).pathname}`),
  );
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
