import { z } from "zod";
import { ZEventType } from "../events/event-object";
import { zText } from "../validation/text";

export const ZWebhookEndpointObject = z.object({
  id: z.string(),
  object: z.literal("webhook_endpoint"),
  url: z.string(),
  description: z.string().nullable(),
  /** Event types delivered; empty = every type. */
  enabled_events: z.array(ZEventType),
  status: z.enum(["enabled", "disabled"]),
  created_at: z.string(),
  updated_at: z.string(),
});
export type TWebhookEndpointObject = z.infer<typeof ZWebhookEndpointObject>;

/** Creation and rotation answers: the only times the secret is shown. */
export const ZWebhookEndpointWithSecret = ZWebhookEndpointObject.extend({ secret: z.string() });
export type TWebhookEndpointWithSecret = z.infer<typeof ZWebhookEndpointWithSecret>;

export const WEBHOOK_ENDPOINT_SELECT = {
  id: true,
  url: true,
  description: true,
  enabledEvents: true,
  disabled: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function serializeWebhookEndpoint(row: {
  id: string;
  url: string;
  description: string | null;
  enabledEvents: string[];
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}): TWebhookEndpointObject {
  return {
    id: row.id,
    object: "webhook_endpoint",
    url: row.url,
    description: row.description,
    enabled_events: row.enabledEvents.map((type) => ZEventType.parse(type)),
    status: row.disabled ? "disabled" : "enabled",
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const ZUrl = z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2048);
const ZEnabledEvents = z
  .array(ZEventType)
  .max(50)
  .transform((types) => [...new Set(types)]);

export const ZCreateWebhookEndpoint = z.strictObject({
  url: ZUrl,
  description: zText().max(1000).nullish(),
  enabled_events: ZEnabledEvents.optional(),
  status: z.enum(["enabled", "disabled"]).optional(),
});
export type TCreateWebhookEndpoint = z.infer<typeof ZCreateWebhookEndpoint>;

export const ZUpdateWebhookEndpoint = z.strictObject({
  url: ZUrl.optional(),
  description: zText().max(1000).nullish(),
  enabled_events: ZEnabledEvents.optional(),
  status: z.enum(["enabled", "disabled"]).optional(),
});
export type TUpdateWebhookEndpoint = z.infer<typeof ZUpdateWebhookEndpoint>;
