import { publicUrl } from "@/lib/config/public-url";
import { buildOpenApiDocument, type OpenApiDocument } from "@/lib/openapi/build-openapi-document";

export const dynamic = "force-dynamic";

// The document only depends on code and PUBLIC_URL, both fixed for the life of the process.
let document: OpenApiDocument | undefined;

export function GET(): Response {
  document ??= buildOpenApiDocument({ serverUrl: publicUrl() });
  return Response.json(document, {
    headers: {
      "cache-control": "public, max-age=300",
      // Public and secret-free: lets browser-based OpenAPI tools load it from another origin.
      "access-control-allow-origin": "*",
    },
  });
}
