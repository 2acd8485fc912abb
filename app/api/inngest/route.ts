import { serve } from "inngest/next";
import type { NextRequest } from "next/server";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import { env, inngestConfigured } from "@/lib/config/env";

export const dynamic = "force-dynamic";

type RouteHandler = (request: NextRequest, context: unknown) => Promise<Response>;

const inngestHandlers = serve({ client: inngest, functions });

/**
 * Without a signing key or dev server the SDK answers every request with a bare 500 ("In cloud mode
 * but no signing key found"); say instead that the embedded runner does the work and how to switch.
 * Same problem+json shape as lib/errors.ts, whose closed code list has no `inngest_not_configured`.
 */
function whenInngestConfigured(handler: RouteHandler): RouteHandler {
  return async (request, context) => {
    if (inngestConfigured(env())) return handler(request, context);
    return Response.json(
      {
        type: "https://docs.ctrip.dev/errors/inngest_not_configured",
        title: "Inngest is not configured",
        status: 503,
        detail:
          "Background jobs run in-process on the embedded runner, so this endpoint serves nothing. To hand " +
          "them to Inngest, set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY (plus INNGEST_BASE_URL for a " +
          "self-hosted server), or INNGEST_DEV=1 with a dev server (`npx inngest-cli@latest dev`), then restart.",
        code: "inngest_not_configured",
      },
      { status: 503, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } },
    );
  };
}

export const GET = whenInngestConfigured(inngestHandlers.GET);
export const POST = whenInngestConfigured(inngestHandlers.POST);
export const PUT = whenInngestConfigured(inngestHandlers.PUT);
