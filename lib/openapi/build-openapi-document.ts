// The OpenAPI 3.1 document of the REST API, generated from the same zod schemas the routes validate
// with (z.toJSONSchema): the operation table below says which schema each route uses, everything
// else (parameters, bodies, error responses, security) is derived from it.
import { z } from "zod";
import type { JSONSchema } from "zod/v4/core";
import { MONEY_ROUTING_PERMISSIONS, type TApiKeyPermission } from "../access/permissions";
import { ZAuditLogEntryObject } from "../audit/audit-log-entry-object";
import { ZListAuditLogQuery } from "../audit/list-audit-log";
import { ZBalanceObject, ZBalanceTransactionObject } from "../balances/balance-object";
import { ZListBalanceTransactionsQuery } from "../balances/list-balance-transactions";
import { ZListBalancesQuery } from "../balances/list-balances";
import { ZReconciliationWithHotWallets } from "../balances/reconcile-hot-wallets";
import { ERROR_CODES, type ErrorCode, type Problem } from "../errors";
import { EVENT_TYPES, ZEventObject } from "../events/event-object";
import { ZListEventsQuery } from "../events/list-events";
import { ZHealth } from "../health/get-health";
import type { ListPage } from "../http/pagination";
import { ZIdParams } from "../http/route-params";
import type { IdPrefix } from "../ids";
import { ZQuoteSettingsObject, ZSetQuoteSettings } from "../merchants/quote-settings";
import { ZCreatePaymentRequestDoc } from "../payments/create-fiat-payment";
import { ZMetadata } from "../payments/create-payment";
import { ZExtendPaymentExpiry } from "../payments/extend-payment-expiry";
import { ZListPaymentsQuery } from "../payments/list-payments";
import {
  FIAT_PAYMENT_KEYS,
  FIAT_TRANSFER_KEYS,
  type TPaymentObject,
  ZPaymentObject,
  ZTransferObject,
} from "../payments/payment-object";
import { ZResolveUnattributedTransfer } from "../payments/resolve-unattributed-transfer";
import { ZCreatePayout } from "../payouts/create-payout";
import { ZListPayoutsQuery } from "../payouts/list-payouts";
import { ZPayoutLimitsList, ZPayoutLimitsObject, ZSetPayoutLimits } from "../payouts/payout-limits";
import { ZPayoutObject } from "../payouts/payout-object";
import { ZRefundPayment } from "../payouts/refund-payment";
import { ZListRatesQuery, ZRateList } from "../rates/list-rates";
import { ZReconciliationQuery } from "../settlement/reconcile-chain";
import { ZSetTreasurySetting } from "../settlement/set-treasury-setting";
import { ZSettingChangeList, ZSettingChangeObject } from "../settlement/setting-change-object";
import { ZPaymentSettlement } from "../settlement/settle-payment";
import { ZTreasurySettingList, ZTreasurySettingObject } from "../settlement/treasury-setting-object";
import { ZListWebhookDeliveriesQuery } from "../webhooks/list-webhook-deliveries";
import { ZListWebhookEndpointsQuery } from "../webhooks/manage-webhook-endpoints";
import { ZWebhookTestResult } from "../webhooks/send-test-webhook";
import { ZWebhookDeliveryObject } from "../webhooks/webhook-delivery-object";
import {
  ZCreateWebhookEndpoint,
  ZUpdateWebhookEndpoint,
  ZWebhookEndpointObject,
  ZWebhookEndpointWithSecret,
} from "../webhooks/webhook-endpoint-object";

export type JsonSchema = JSONSchema.JSONSchema;
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";
export type OpenApiParameter = {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
};
export type OpenApiHeader = { description: string; schema: JsonSchema };
export type OpenApiMediaType = { schema: JsonSchema; example?: unknown };
export type OpenApiResponse = {
  description: string;
  headers?: Record<string, OpenApiHeader>;
  content?: Record<string, OpenApiMediaType>;
};
export type OpenApiOperation = {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse>;
  /** The API-key permission the operation needs (lib/access/permissions.ts). */
  "x-permission"?: TApiKeyPermission;
};
export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;
  components: {
    schemas: Record<ComponentName, JsonSchema>;
    securitySchemes: Record<
      string,
      { type: "http"; scheme: "bearer"; bearerFormat: string; description: string }
    >;
  };
};

const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** The problem+json body every API error is rendered as (lib/errors.ts `toProblem`). */
export const ZProblem = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.enum(ERROR_CODE_NAMES),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  request_id: z.string().optional(),
}) satisfies z.ZodType<Problem>;

function ZList<T extends z.ZodType>(item: T) {
  return z.strictObject({
    object: z.literal("list"),
    data: z.array(item),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  });
}

const ZPaymentList = ZList(ZPaymentObject) satisfies z.ZodType<ListPage<TPaymentObject>>;
const ZEventList = ZList(ZEventObject);
const ZWebhookEndpointList = ZList(ZWebhookEndpointObject);
const ZWebhookDeliveryList = ZList(ZWebhookDeliveryObject);
const ZBalanceList = ZList(ZBalanceObject);
const ZBalanceTransactionList = ZList(ZBalanceTransactionObject);
const ZPayoutList = ZList(ZPayoutObject);
const ZAuditLogEntryList = ZList(ZAuditLogEntryObject);
const ZDeletedWebhookEndpoint = z.strictObject({
  id: z.string(),
  object: z.literal("webhook_endpoint"),
  deleted: z.literal(true),
});

/** Same limits as the Idempotency-Key check in lib/http/api-route.ts. */
const ZIdempotencyKey = z.string().min(1).max(255);

/** Responses are documented as the server emits them, requests as the client sends them. */
const RESPONSE_COMPONENTS = {
  Payment: ZPaymentObject,
  PaymentList: ZPaymentList,
  Event: ZEventObject,
  /** `data.settlement` of a `payment.settled` event. */
  PaymentSettlement: ZPaymentSettlement.meta({
    description:
      "`settlement` beside the payment in a `payment.settled` event: the sweep of the payment's own coin " +
      "(`sweep_id`, `tx_hash`, `to_address`). A fiat-priced payment paid in several coins (possibly on several " +
      "chains) is swept once per coin and settled when the last of them confirms; only then `sweeps` lists " +
      "every coin's sweep (that one first), with what each delivered in base units of its coin.",
  }),
  EventList: ZEventList,
  Health: ZHealth,
  Problem: ZProblem,
  WebhookEndpoint: ZWebhookEndpointObject,
  WebhookEndpointWithSecret: ZWebhookEndpointWithSecret,
  WebhookEndpointList: ZWebhookEndpointList,
  DeletedWebhookEndpoint: ZDeletedWebhookEndpoint,
  WebhookTestResult: ZWebhookTestResult,
  WebhookDelivery: ZWebhookDeliveryObject,
  WebhookDeliveryList: ZWebhookDeliveryList,
  TreasurySetting: ZTreasurySettingObject,
  TreasurySettingList: ZTreasurySettingList,
  Reconciliation: ZReconciliationWithHotWallets,
  Balance: ZBalanceObject,
  BalanceList: ZBalanceList,
  BalanceTransaction: ZBalanceTransactionObject,
  BalanceTransactionList: ZBalanceTransactionList,
  Payout: ZPayoutObject,
  PayoutList: ZPayoutList,
  PayoutLimits: ZPayoutLimitsObject,
  PayoutLimitsList: ZPayoutLimitsList,
  AuditLogEntry: ZAuditLogEntryObject,
  AuditLogEntryList: ZAuditLogEntryList,
  SettingChange: ZSettingChangeObject,
  SettingChangeList: ZSettingChangeList,
  RateList: ZRateList,
  QuoteSettings: ZQuoteSettingsObject,
};
const REQUEST_COMPONENTS = {
  CreatePaymentRequest: ZCreatePaymentRequestDoc,
  ResolveUnattributedTransferRequest: ZResolveUnattributedTransfer,
  SetQuoteSettingsRequest: ZSetQuoteSettings,
  SetTreasurySettingRequest: ZSetTreasurySetting,
  CreateWebhookEndpointRequest: ZCreateWebhookEndpoint,
  UpdateWebhookEndpointRequest: ZUpdateWebhookEndpoint,
  CreatePayoutRequest: ZCreatePayout,
  RefundPaymentRequest: ZRefundPayment,
  ExtendPaymentExpiryRequest: ZExtendPaymentExpiry,
  SetPayoutLimitsRequest: ZSetPayoutLimits,
};
export type ComponentName = keyof typeof RESPONSE_COMPONENTS | keyof typeof REQUEST_COMPONENTS;

type OperationSpec = {
  method: HttpMethod;
  path: string;
  operationId: string;
  tag: "Payments" | "Rates" | "Events" | "Webhooks" | "Settlement" | "Balances" | "Audit log" | "System";
  summary: string;
  description: string;
  /** Prefix of the `{id}` path parameter, validated by ZIdParams(prefix). */
  idPrefix?: IdPrefix;
  query?: z.ZodObject;
  body?: { schema: keyof typeof REQUEST_COMPONENTS; example: unknown };
  responses: { status: number; schema: ComponentName; description: string }[];
  /** Problem statuses of this operation beyond the ones derived from its shape (e.g. 503 rate_unavailable). */
  problems?: number[];
} & (
  | {
      /** Public endpoints take no API key and answer in their own format. */
      public: true;
      permission?: never;
    }
  | {
      public?: never;
      /**
       * The permission the API key must carry (403 `forbidden` naming it without): stated in the
       * description and as `x-permission`; the authorization matrix test checks every operation.
       */
      permission: TApiKeyPermission;
    }
);

export const OPERATIONS: readonly OperationSpec[] = [
  {
    method: "post",
    path: "/api/v1/payments",
    operationId: "createPayment",
    permission: "payments:write",
    tag: "Payments",
    summary: "Create a payment",
    description:
      "Creates a payment with its own deposit address. `chain` is a chain name from the gateway's chains.yaml, " +
      "`token` a token symbol on it (omitted = the native coin), `amount` a decimal string in token units " +
      '(e.g. `"12.5"`; JSON numbers are refused), `expires_in` seconds until expiry. ' +
      'Priced in fiat instead: `price: {amount: "20.00", currency: "USD"}` and optional `accepts: [{chain, token?}]` ' +
      "(default: every configured coin) in place of `chain`/`token`/`amount` (never both forms). The payment then " +
      "has one address valid on every chain, `options[]` (per coin: amount, rate, EIP-681 URI, quote expiry; quotes " +
      "locked for the merchant's quote window, re-quoted with `payment.requoted` when the checkout loads it after " +
      "they expired), and is judged on `value_received` in the price currency within the merchant's underpayment " +
      "tolerance; `chain`/`chain_id`/`token`/`amount`/`amount_base_units`/`payment_uri` are null until a transfer names " +
      "the option paid; coins sent that it does not accept are listed in `unattributed_transfers`. An unsupported " +
      "currency is a 400, a rate that cannot be had a 503 `rate_unavailable`.",
    body: {
      schema: "CreatePaymentRequest",
      example: {
        chain: "local",
        token: "USDC",
        amount: "12.5",
        expires_in: 3600,
        order_id: "order_1001",
        description: "2 × espresso",
        metadata: { customer_id: "cus_42" },
        redirect_url: "https://shop.example/thanks",
      },
    },
    responses: [{ status: 201, schema: "Payment", description: "The created payment." }],
  },
  {
    method: "get",
    path: "/api/v1/payments",
    operationId: "listPayments",
    permission: "payments:read",
    tag: "Payments",
    summary: "List payments",
    description:
      "Payments newest first. `created[gte]` / `created[lte]` take ISO 8601 timestamps or unix seconds.",
    query: ZListPaymentsQuery,
    responses: [{ status: 200, schema: "PaymentList", description: "A page of payments." }],
  },
  {
    method: "get",
    path: "/api/v1/payments/{id}",
    operationId: "getPayment",
    permission: "payments:read",
    tag: "Payments",
    summary: "Retrieve a payment",
    description: "A payment of the API key's merchant; any other id is a 404.",
    idPrefix: "pay",
    responses: [{ status: 200, schema: "Payment", description: "The payment." }],
  },
  {
    method: "post",
    path: "/api/v1/payments/{id}/cancel",
    operationId: "cancelPayment",
    permission: "payments:write",
    tag: "Payments",
    summary: "Cancel a payment",
    description:
      "Cancels a `pending` payment that has received nothing; otherwise 409 with code `invalid_state`.",
    idPrefix: "pay",
    responses: [{ status: 200, schema: "Payment", description: "The canceled payment." }],
  },
  {
    method: "post",
    path: "/api/v1/payments/{id}/extend",
    operationId: "extendPaymentExpiry",
    permission: "payments:write",
    tag: "Payments",
    summary: "Extend a payment's expiry",
    description:
      "Gives the customer more time: a `pending` payment (nothing or only part received) expires " +
      "`extend_by_minutes` after the later of its current expiry and now, at most 7 days from now (else 422 " +
      "on `extend_by_minutes`). The checkout keeps accepting payment until then, and a transfer before the new " +
      "expiry counts as on time. Audited (`payment.expiry_extended`). Any other status: 409 `invalid_state`.",
    idPrefix: "pay",
    body: { schema: "ExtendPaymentExpiryRequest", example: { extend_by_minutes: 60 } },
    responses: [{ status: 200, schema: "Payment", description: "The payment with its new `expires_at`." }],
  },
  {
    method: "post",
    path: "/api/v1/payments/{id}/resolve",
    operationId: "resolvePayment",
    permission: "payments:write",
    tag: "Payments",
    summary: "Accept a late or partial payment",
    description:
      'Accepts an `expired` payment with `exception: "paid_late"` (paid in full after its expiry) or `exception: "underpaid"` (part of the amount received: the merchant takes what arrived as paid) once its transfers have the required confirmations: it becomes `confirmed`, keeps its exception, is settled like any confirmed payment, and a `payment.confirmed` event is sent. An accepted underpayment stays confirmed while the amount accepted is confirmed on the chain; a reorg taking part of it sends it back to `expired` with `payment.reverted` (it may be accepted again). Any other payment: 409 with code `invalid_state`.',
    idPrefix: "pay",
    responses: [{ status: 200, schema: "Payment", description: "The confirmed payment." }],
  },
  {
    method: "post",
    path: "/api/v1/payments/{id}/unattributed-transfers/resolve",
    operationId: "resolveUnattributedTransfer",
    permission: "payments:write",
    tag: "Payments",
    summary: "Resolve an unattributed transfer",
    description:
      "Closes the exception of a transfer listed in the payment's `unattributed_transfers` (a coin or chain the payment does not accept, sent to its address). " +
      "`accepted`: you keep the coins; once the transfer has its confirmations they are swept to the chain's treasury address, or in balance mode to your hot wallet and credited (`transfer_accepted`), never to the payment's value. " +
      "`refunded` (also needs `refunds:write`): the coins are sent back from the deposit address to `refund_address` (a native coin less the gas of sending it; a token in full, its gas paid by the gas tank). " +
      "Either way the transfer's `sweep` shows the move. Already resolved or reverted: 409 `invalid_state`; `refund_address` equal to the deposit address: 422.",
    idPrefix: "pay",
    body: {
      schema: "ResolveUnattributedTransferRequest",
      example: { chain: "local", tx_hash: `0x${"ab".repeat(32)}`, log_index: -1, resolution: "accepted" },
    },
    responses: [{ status: 200, schema: "Payment", description: "The payment, with the transfer resolved." }],
  },
  {
    method: "get",
    path: "/api/v1/events",
    operationId: "listEvents",
    permission: "events:read",
    tag: "Events",
    summary: "List events",
    description: `Events newest first, optionally filtered by \`type\` or by the id of the object they are about (\`object_id\`). Types: ${EVENT_TYPES.map((type) => `\`${type}\``).join(", ")}.`,
    query: ZListEventsQuery,
    responses: [{ status: 200, schema: "EventList", description: "A page of events." }],
  },
  {
    method: "get",
    path: "/api/v1/events/{id}",
    operationId: "getEvent",
    permission: "events:read",
    tag: "Events",
    summary: "Retrieve an event",
    description: "The event object, as delivered to webhook endpoints.",
    idPrefix: "evt",
    responses: [{ status: 200, schema: "Event", description: "The event." }],
  },
  ...webhookOperations(),
  {
    method: "put",
    path: "/api/v1/settings/treasury",
    operationId: "setTreasurySetting",
    permission: "settings:write",
    tag: "Settlement",
    summary: "Set the treasury of a chain",
    description:
      "Where confirmed payments on `chain` are swept. `mode` `treasury` (default) sweeps to `address` " +
      "(stored checksummed; one of the gateway's deposit addresses is refused); `balance` credits the " +
      "merchant's balance instead. Without a treasury, funds stay at their deposit addresses and payments " +
      "stay `confirmed`. The first setting of a chain takes effect at once; a new address or a mode switch " +
      "is scheduled after the money-routing delay (24 h by default) as `pending_change`, announced by a " +
      "`settings.updated` event and cancelable until then; the answer shows the setting still in effect.",
    body: {
      schema: "SetTreasurySettingRequest",
      example: { chain: "local", mode: "treasury", address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" },
    },
    responses: [
      {
        status: 200,
        schema: "TreasurySetting",
        description: "The chain's setting in effect, and its pending change.",
      },
    ],
  },
  {
    method: "get",
    path: "/api/v1/settings/treasury",
    operationId: "listTreasurySettings",
    permission: "settings:read",
    tag: "Settlement",
    summary: "List treasury settings",
    description:
      "The merchant's settlement mode and treasury address in effect per chain, with any scheduled change.",
    responses: [{ status: 200, schema: "TreasurySettingList", description: "Every chain's setting." }],
  },
  {
    method: "put",
    path: "/api/v1/settings/quotes",
    operationId: "setQuoteSettings",
    permission: "settings:write",
    tag: "Settlement",
    summary: "Set the quote window, tolerance, accepted coins and display currency",
    description:
      "For payments priced in fiat: `quote_ttl` seconds their quotes stay locked (60–86400, default 900), " +
      '`underpayment_tolerance` the percent of the price a payment may fall short and still be paid ("0"–"10", ' +
      'two decimals, default "0"), `accepted_coins` the coins a payment accepts when it names no `accepts` ' +
      "(`[{chain, token}]`, token omitted or null = the native coin; default every coin of chains.yaml; an " +
      "explicit `accepts` naming a coin not in this list is refused with 422) and `display_currency` the ISO " +
      "4217 currency the dashboard shows fiat values in (default USD). Unknown coins, an empty list or an " +
      "unsupported currency: 422. Applies to payments created afterwards; every change is audited.",
    body: {
      schema: "SetQuoteSettingsRequest",
      example: {
        quote_ttl: 600,
        underpayment_tolerance: "0.5",
        accepted_coins: [{ chain: "local", token: "USDC" }, { chain: "local" }],
        display_currency: "EUR",
      },
    },
    responses: [{ status: 200, schema: "QuoteSettings", description: "The settings now in effect." }],
  },
  {
    method: "get",
    path: "/api/v1/settings/quotes",
    operationId: "getQuoteSettings",
    permission: "settings:read",
    tag: "Settlement",
    summary: "Get the quote window, tolerance, accepted coins and display currency",
    description:
      "The merchant's quote window (seconds), underpayment tolerance (percent) and accepted coins for " +
      "fiat-priced payments, and the dashboard's display currency.",
    responses: [{ status: 200, schema: "QuoteSettings", description: "The settings in effect." }],
  },
  {
    method: "get",
    path: "/api/v1/settings/pending-changes",
    operationId: "listPendingSettingChanges",
    tag: "Settlement",
    summary: "List scheduled settings changes",
    description:
      "Money-routing changes waiting for their `effective_at` (treasury address or mode, higher or removed " +
      "payout limits, higher auto-approval), soonest first. Until then sweeps and payouts use the settings " +
      "in effect (`previous`).",
    permission: "settings:read",
    responses: [{ status: 200, schema: "SettingChangeList", description: "The scheduled changes." }],
  },
  {
    method: "post",
    path: "/api/v1/settings/pending-changes/{id}/cancel",
    operationId: "cancelSettingChange",
    tag: "Settlement",
    summary: "Cancel a scheduled settings change",
    description:
      "Cancels a `scheduled` change before it takes effect (a `settings.updated` event with status " +
      "`canceled` is sent). A change already applied or canceled: 409 with code `invalid_state`.",
    idPrefix: "chg",
    permission: "settings:write",
    responses: [{ status: 200, schema: "SettingChange", description: "The canceled change." }],
  },
  {
    method: "get",
    path: "/api/v1/reconciliation",
    operationId: "getReconciliation",
    permission: "balances:read",
    tag: "Settlement",
    summary: "Reconcile a chain",
    description:
      "Per token on `chain`, for your payments: `received` (non-reverted transfers to deposit addresses), " +
      "`swept` (confirmed sweeps to your treasury), `fees` (gas paid from deposit addresses; native coin only, " +
      "ERC-20 gas comes from the gateway's gas tank), `held_on_chain` (live balances of the deposit " +
      'addresses) and `difference` = received − swept − fees − held, `"0"` when every unit is accounted for. ' +
      "`gas` (native coin): the gas tank's `top_ups` to the deposit addresses of ERC-20 payments, the " +
      "`deposit_fees` those addresses paid for their token transfers and the top-up gas still `held_on_chain` " +
      'there; `difference` = top_ups − deposit_fees − held, `"0"` when every wei is accounted for; ' +
      "`top_up_fees` is the gas tank's own fees and `gas_tank_spent` = top_ups + top_up_fees. " +
      "`flagged_payments` and `flagged_gas` list the payments whose figures do not add up. " +
      "`hot_wallets` (balance mode): per token the live balance of your hot wallet, the ledger's available balance, " +
      "what open payouts have reserved and, for the native coin, `gas_float` (gas the gas tank topped the wallet up " +
      "with for token payouts, not yet spent) and `gas_tank_spent` (that gas's cost to the operator); `difference` = " +
      'held − available − reserved − gas_float, `"0"` when nothing is mid-flight.',
    query: ZReconciliationQuery,
    responses: [{ status: 200, schema: "Reconciliation", description: "The chain's reconciliation." }],
  },
  ...balanceOperations(),
  {
    method: "get",
    path: "/api/v1/rates",
    operationId: "listRates",
    permission: "payments:read",
    tag: "Rates",
    summary: "List exchange rates",
    description:
      "The current rate of every chain and token you can be paid in, in `currency` (ISO 4217, default USD): " +
      "`rate` is currency units per one whole token as an exact decimal string, `source` says where it came " +
      'from (`peg`: a stablecoin in its peg currency, always `"1"`; `fixed`: configured, the devnet; a price ' +
      "API's name, or `median:a,b,…` of the APIs that answered), `as_of` when it held and `age_seconds` how old " +
      "it is. Rates come from the sources of the gateway's `rates.yaml`; an asset whose rate cannot be had now " +
      "(every source failed and the last stored rate is older than the staleness limit) is listed with " +
      "`rate: null` and the reason in `error`. An unsupported currency is a 400; when no asset has a rate " +
      "the answer is 503 `rate_unavailable`.",
    query: ZListRatesQuery,
    problems: [400, 503],
    responses: [{ status: 200, schema: "RateList", description: "The rates, one per chain and token." }],
  },
  {
    method: "get",
    path: "/api/v1/audit-log",
    operationId: "listAuditLog",
    tag: "Audit log",
    summary: "List audit log entries",
    description:
      "What members, API keys and the operator did on your merchant, newest first: sign-ins (also failed ones), " +
      "team changes, API keys, settings changes, payout reviews, refunds. Each entry names its `actor`, the " +
      "`client_address` and `request_id` of the request that made it. Filter by `action`, `actor_id` and " +
      "`created[gte]` / `created[lte]` (ISO 8601 or unix seconds). Entries cannot be changed or deleted.",
    query: ZListAuditLogQuery,
    permission: "audit:read",
    responses: [{ status: 200, schema: "AuditLogEntryList", description: "A page of audit log entries." }],
  },
  {
    method: "get",
    path: "/api/health",
    operationId: "getHealth",
    tag: "System",
    summary: "Gateway health",
    description: "Database reachability and, per chain, the head block and scanning lag. No API key needed.",
    public: true,
    responses: [
      { status: 200, schema: "Health", description: "The gateway is up (`ok`, or `degraded` by a chain)." },
      { status: 503, schema: "Health", description: "The database is down (`status: down`)." },
    ],
  },
];

function balanceOperations(): OperationSpec[] {
  return [
    {
      method: "get",
      path: "/api/v1/balances",
      operationId: "listBalances",
      permission: "balances:read",
      tag: "Balances",
      summary: "List balances",
      description:
        "What the gateway holds for you per chain and token in `balance` settlement mode: `available` is " +
        "what payouts and refunds can spend (funds of a payout being created or sent are already deducted).",
      query: ZListBalancesQuery,
      responses: [{ status: 200, schema: "BalanceList", description: "Every balance (one page)." }],
    },
    {
      method: "get",
      path: "/api/v1/balance-transactions",
      operationId: "listBalanceTransactions",
      permission: "balances:read",
      tag: "Balances",
      summary: "List balance transactions",
      description:
        "The append-only ledger behind the balances, newest first: `payment_settled` (credit when a sweep to " +
        "your hot wallet confirms), `payout` and `refund` (debits reserved when created), `payout_fee`, " +
        "`payout_reversed` (funds returned by a rejected or failed payout), `transfer_accepted` (an unattributed " +
        "transfer you accepted, swept to your hot wallet) and `adjustment`. `amount` is signed; " +
        "`balance_after` is the balance right after the entry. A `payment_settled` or `transfer_accepted` entry also has `gross` (what the " +
        "deposit address sent) and `fee` (the native sweep's gas, or a fee-on-transfer token's cut): `amount` is " +
        "their difference, the net.",
      query: ZListBalanceTransactionsQuery,
      responses: [
        { status: 200, schema: "BalanceTransactionList", description: "A page of balance transactions." },
      ],
    },
    {
      method: "post",
      path: "/api/v1/payouts",
      operationId: "createPayout",
      permission: "payouts:write",
      tag: "Balances",
      summary: "Create a payout",
      description:
        "Sends `amount` of `token` (omitted = native coin) from your balance on `chain` to `address` " +
        "(EIP-55 checksummed; not a deposit address of this gateway nor your hot wallet). The amount is " +
        "reserved at once (a `payout` entry); it must not exceed the available balance nor your payout " +
        "limits (PUT /api/v1/settings/payouts). Below `auto_approve_below` the payout starts `approved`, " +
        "otherwise `pending_approval`. The chain must be in `balance` settlement mode (else 409). " +
        "The network fee is reserved from your native-coin balance when the transaction is signed.",
      body: {
        schema: "CreatePayoutRequest",
        example: {
          chain: "local",
          token: "USDC",
          amount: "25",
          address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
          description: "Supplier invoice 77",
        },
      },
      responses: [{ status: 201, schema: "Payout", description: "The created payout." }],
    },
    {
      method: "get",
      path: "/api/v1/payouts",
      operationId: "listPayouts",
      permission: "payouts:read",
      tag: "Balances",
      summary: "List payouts",
      description: "Payouts and refunds newest first; refunds carry the `payment_id` they refund.",
      query: ZListPayoutsQuery,
      responses: [{ status: 200, schema: "PayoutList", description: "A page of payouts." }],
    },
    {
      method: "get",
      path: "/api/v1/payouts/{id}",
      operationId: "getPayout",
      permission: "payouts:read",
      tag: "Balances",
      summary: "Retrieve a payout",
      description: "A payout of the API key's merchant; any other id is a 404.",
      idPrefix: "po",
      responses: [{ status: 200, schema: "Payout", description: "The payout." }],
    },
    {
      method: "post",
      path: "/api/v1/payouts/{id}/approve",
      operationId: "approvePayout",
      permission: "payouts:approve",
      tag: "Balances",
      summary: "Approve a payout",
      description: "Approves a `pending_approval` payout; it is sent shortly after. Any other state: 409.",
      idPrefix: "po",
      responses: [{ status: 200, schema: "Payout", description: "The approved payout." }],
    },
    {
      method: "post",
      path: "/api/v1/payouts/{id}/reject",
      operationId: "rejectPayout",
      permission: "payouts:approve",
      tag: "Balances",
      summary: "Reject a payout",
      description:
        "Rejects a `pending_approval` payout and returns its amount to your balance (`payout_reversed`). " +
        "Any other state: 409.",
      idPrefix: "po",
      responses: [{ status: 200, schema: "Payout", description: "The rejected payout." }],
    },
    {
      method: "post",
      path: "/api/v1/payments/{id}/refund",
      operationId: "refundPayment",
      permission: "refunds:write",
      tag: "Balances",
      summary: "Refund a payment",
      description:
        "Creates a payout linked to a settled payment, paid from your balance: by default everything it " +
        "received that is not refunded yet, or `amount` (e.g. the overpaid part). In `treasury` mode the " +
        "gateway holds nothing to refund from: 409 with code `invalid_state`.",
      idPrefix: "pay",
      body: {
        schema: "RefundPaymentRequest",
        example: { address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", amount: "0.5" },
      },
      responses: [{ status: 201, schema: "Payout", description: "The refund payout." }],
    },
    {
      method: "put",
      path: "/api/v1/settings/payouts",
      operationId: "setPayoutLimits",
      permission: "settings:write",
      tag: "Balances",
      summary: "Set payout limits",
      description:
        "Per chain and token (omitted = native coin): `max_per_payout`, `max_per_day` (payouts created in " +
        "any 24 hours, rejected and failed ones excluded) and `auto_approve_below`; decimal strings in token " +
        "units, null = no limit (no auto-approval). Tightening takes effect at once; a higher or removed " +
        "maximum or a higher auto-approval threshold is scheduled after the money-routing delay as " +
        "`pending_change` (cancelable, announced by `settings.updated`); the answer shows the limits in effect.",
      body: {
        schema: "SetPayoutLimitsRequest",
        example: {
          chain: "local",
          token: "USDC",
          max_per_payout: "1000",
          max_per_day: "5000",
          auto_approve_below: "50",
        },
      },
      responses: [
        { status: 200, schema: "PayoutLimits", description: "The limits of this chain and token." },
      ],
    },
    {
      method: "get",
      path: "/api/v1/settings/payouts",
      operationId: "listPayoutLimits",
      permission: "settings:read",
      tag: "Balances",
      summary: "List payout limits",
      description: "Your payout limits in effect per chain and token, with any scheduled change.",
      responses: [
        { status: 200, schema: "PayoutLimitsList", description: "Every chain and token's limits." },
      ],
    },
  ];
}

function webhookOperations(): OperationSpec[] {
  const endpointExample = {
    url: "https://shop.example/webhooks/ctrip",
    description: "Order fulfilment",
    enabled_events: ["payment.confirmed", "payment.expired"],
  };
  return [
    {
      method: "post",
      path: "/api/v1/webhook-endpoints",
      operationId: "createWebhookEndpoint",
      permission: "webhooks:write",
      tag: "Webhooks",
      summary: "Create a webhook endpoint",
      description:
        "Registers an http(s) URL. `enabled_events` filters the event types sent (empty or omitted = all). " +
        "The answer holds the signing `secret` (`whsec_…`): it is shown now and on rotation only. In production, " +
        "private, loopback and link-local targets are refused unless the operator allows them.",
      body: { schema: "CreateWebhookEndpointRequest", example: endpointExample },
      responses: [
        { status: 201, schema: "WebhookEndpointWithSecret", description: "The endpoint and its secret." },
      ],
    },
    {
      method: "get",
      path: "/api/v1/webhook-endpoints",
      operationId: "listWebhookEndpoints",
      permission: "webhooks:read",
      tag: "Webhooks",
      summary: "List webhook endpoints",
      description: "Endpoints newest first (deleted ones excluded).",
      query: ZListWebhookEndpointsQuery,
      responses: [{ status: 200, schema: "WebhookEndpointList", description: "A page of endpoints." }],
    },
    {
      method: "get",
      path: "/api/v1/webhook-endpoints/{id}",
      operationId: "getWebhookEndpoint",
      permission: "webhooks:read",
      tag: "Webhooks",
      summary: "Retrieve a webhook endpoint",
      description: "The endpoint, without its secret.",
      idPrefix: "we",
      responses: [{ status: 200, schema: "WebhookEndpoint", description: "The endpoint." }],
    },
    {
      method: "patch",
      path: "/api/v1/webhook-endpoints/{id}",
      operationId: "updateWebhookEndpoint",
      permission: "webhooks:write",
      tag: "Webhooks",
      summary: "Update a webhook endpoint",
      description: "Changes the URL, description, event filter or `status` (`enabled` / `disabled`).",
      idPrefix: "we",
      body: { schema: "UpdateWebhookEndpointRequest", example: { status: "disabled" } },
      responses: [{ status: 200, schema: "WebhookEndpoint", description: "The updated endpoint." }],
    },
    {
      method: "delete",
      path: "/api/v1/webhook-endpoints/{id}",
      operationId: "deleteWebhookEndpoint",
      permission: "webhooks:write",
      tag: "Webhooks",
      summary: "Delete a webhook endpoint",
      description: "Stops deliveries to the endpoint; its pending deliveries are marked failed.",
      idPrefix: "we",
      responses: [
        { status: 200, schema: "DeletedWebhookEndpoint", description: "The deleted endpoint's id." },
      ],
    },
    {
      method: "post",
      path: "/api/v1/webhook-endpoints/{id}/rotate-secret",
      operationId: "rotateWebhookEndpointSecret",
      permission: "webhooks:write",
      tag: "Webhooks",
      summary: "Rotate a webhook endpoint's secret",
      description:
        "Issues a new secret. For 24 hours deliveries are signed with both the old and the new secret " +
        "(two space-separated `v1,…` entries in `webhook-signature`), so either verifies.",
      idPrefix: "we",
      responses: [
        { status: 200, schema: "WebhookEndpointWithSecret", description: "The endpoint and its new secret." },
      ],
    },
    {
      method: "post",
      path: "/api/v1/webhook-endpoints/{id}/test",
      operationId: "testWebhookEndpoint",
      permission: "webhooks:write",
      tag: "Webhooks",
      summary: "Send a test event",
      description:
        "Sends one signed `webhook_endpoint.test` event now and answers with the endpoint's response. Logged as a delivery of this endpoint (retryable by hand), never retried on the schedule, not listed by the events API.",
      idPrefix: "we",
      responses: [
        { status: 200, schema: "WebhookTestResult", description: "The outcome of the test delivery." },
      ],
    },
    {
      method: "get",
      path: "/api/v1/webhook-deliveries",
      operationId: "listWebhookDeliveries",
      permission: "webhooks:read",
      tag: "Webhooks",
      summary: "List webhook deliveries",
      description: "The delivery log newest first, filtered by `event` id, `endpoint` id or `status`.",
      query: ZListWebhookDeliveriesQuery,
      responses: [{ status: 200, schema: "WebhookDeliveryList", description: "A page of deliveries." }],
    },
    {
      method: "get",
      path: "/api/v1/webhook-deliveries/{id}",
      operationId: "getWebhookDelivery",
      permission: "webhooks:read",
      tag: "Webhooks",
      summary: "Retrieve a webhook delivery",
      description:
        "The delivery with every attempt: time, status code, duration, first 1 KB of the response, error.",
      idPrefix: "wd",
      responses: [{ status: 200, schema: "WebhookDelivery", description: "The delivery and its attempts." }],
    },
    {
      method: "post",
      path: "/api/v1/webhook-deliveries/{id}/retry",
      operationId: "retryWebhookDelivery",
      permission: "webhooks:write",
      tag: "Webhooks",
      summary: "Retry a webhook delivery",
      description:
        "Makes one new attempt now and answers once it is done. A failed delivery is reset to pending first.",
      idPrefix: "wd",
      responses: [{ status: 200, schema: "WebhookDelivery", description: "The delivery after the attempt." }],
    },
  ];
}

const TAGS = [
  { name: "Payments", description: "Payments to a fresh deposit address, confirmed on chain." },
  {
    name: "Rates",
    description: "Exchange rates of the coins you accept, for prices in fiat (exact decimal strings).",
  },
  { name: "Events", description: "What happened to your objects; the same objects webhooks deliver." },
  {
    name: "Webhooks",
    description:
      "Endpoints receiving signed events (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`), and their delivery log.",
  },
  { name: "Settlement", description: "Sweeping confirmed funds to the merchant's treasury." },
  {
    name: "Balances",
    description: "Funds the gateway holds for you in `balance` mode, its ledger, payouts and refunds.",
  },
  { name: "Audit log", description: "Who did what on your merchant, append-only." },
  { name: "System", description: "Operational endpoints." },
];

const PROBLEM_SUMMARY: Record<number, string> = {
  400: "Malformed JSON body, or an unsupported value (e.g. a currency that is not ISO 4217).",
  401: "Missing, unknown or revoked API key.",
  403: "The API key lacks the permission this operation needs.",
  404: "No such object for this API key's merchant.",
  409: "Conflicts with the object's state, or an Idempotency-Key reused with a different body.",
  413: "Body larger than 64 KiB.",
  415: "Body is not `application/json`.",
  422: "Validation failed; `errors` lists each invalid field.",
  429: "Rate limit exceeded for this API key; retry after `Retry-After` seconds.",
  500: "Unexpected error; nothing internal is disclosed. Quote the `request_id`.",
  503: "No exchange rate can be had now (every source failed, the last stored rate is stale); retry later.",
};

/** Which problem statuses an operation can answer with, derived from what the route wrapper checks. */
function problemStatuses(spec: OperationSpec): number[] {
  if (spec.public) return [];
  const statuses = new Set([401, 429, 500]);
  if (spec.idPrefix) statuses.add(404);
  // Every private operation needs a permission: a key without it is refused.
  statuses.add(403);
  if (spec.query) statuses.add(422);
  if (spec.body) for (const status of [400, 413, 415, 422]) statuses.add(status);
  // Idempotency-Key: a malformed key is a 422, a reused key with another body a 409.
  if (spec.method === "post") for (const status of [409, 422]) statuses.add(status);
  for (const status of spec.problems ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

/**
 * zod's integer schemas carry ±Number.MAX_SAFE_INTEGER bounds (JavaScript limits, not API rules),
 * and refinements have no JSON Schema form: the one refinement worth stating is metadata's key cap.
 */
const override: NonNullable<z.core.ToJSONSchemaParams["override"]> = ({ zodSchema, jsonSchema }) => {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) jsonSchema.minimum = undefined;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) jsonSchema.maximum = undefined;
  if (zodSchema === ZMetadata) jsonSchema.maxProperties = 50;
  // Present on fiat-priced payments only.
  const only =
    zodSchema === ZPaymentObject
      ? FIAT_PAYMENT_KEYS
      : zodSchema === ZTransferObject
        ? FIAT_TRANSFER_KEYS
        : [];
  if (only.length > 0) jsonSchema.required = jsonSchema.required?.filter((key) => !only.includes(key));
};

const CONVERSION = { target: "draft-2020-12", unrepresentable: "any", override } as const;
const refTo = (name: ComponentName): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

function componentSchemas(
  components: Record<string, z.ZodType>,
  io: "input" | "output",
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    ...CONVERSION,
    io,
    uri: (id) => `#/components/schemas/${id}`,
  });
  const { __shared, ...named } = schemas;
  if (__shared) throw new Error("OpenAPI: a schema is shared without a component name; register it");
  return Object.fromEntries(Object.entries(named).map(([id, schema]) => [id, stripRoot(schema)]));
}

/** `$schema` / `$id` belong to standalone documents, not to schemas embedded in OpenAPI. */
function stripRoot(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return JSON.parse(JSON.stringify(rest)) as JsonSchema; // drops the keys the override unset
}

/** One parameter per property of a path or query schema, documented as the client sends it. */
function parametersOf(
  schema: z.ZodObject,
  location: "path" | "query",
  example?: Record<string, string>,
): OpenApiParameter[] {
  const json = stripRoot(z.toJSONSchema(schema, { ...CONVERSION, io: "input" }));
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    schema: typeof property === "boolean" ? {} : property,
    ...(example?.[name] ? { example: example[name] } : {}),
  }));
}

/** An id of the right shape, so "Try it" and examples start from something the route accepts. */
export function exampleId(prefix: IdPrefix): string {
  return `${prefix}_4mT1NqP8c2XkR7sVb3YwZa`;
}

const REQUEST_ID_HEADER: OpenApiHeader = {
  description: "Unique id of this request; quote it to support.",
  schema: { type: "string" },
};
const RETRY_AFTER_HEADER: OpenApiHeader = {
  description: "Seconds to wait before retrying.",
  schema: { type: "integer" },
};

/** The sentence every private operation's description ends with. */
function permissionNote(permission: TApiKeyPermission): string {
  const granted = (MONEY_ROUTING_PERMISSIONS as readonly string[]).includes(permission)
    ? "which only the merchant owner (or the operator) grants; the default key set lacks it"
    : "which the default key set includes";
  return `Requires an API key with the \`${permission}\` permission, ${granted}; other keys get 403 \`forbidden\` naming it.`;
}

function buildOperation(spec: OperationSpec): OpenApiOperation {
  const parameters = [
    ...(spec.idPrefix
      ? parametersOf(ZIdParams(spec.idPrefix), "path", { id: exampleId(spec.idPrefix) })
      : []),
    ...(spec.query ? parametersOf(spec.query, "query") : []),
    ...(spec.method === "post"
      ? [
          {
            name: "Idempotency-Key",
            in: "header" as const,
            required: false,
            description:
              "Makes the POST safe to retry: the same key with the same body replays the first response " +
              "(header `Idempotent-Replayed: true`), with another body it is a 409. Kept at least 24 h.",
            schema: stripRoot(z.toJSONSchema(ZIdempotencyKey, CONVERSION)),
          },
        ]
      : []),
  ];
  const responses: Record<string, OpenApiResponse> = {};
  for (const response of spec.responses)
    responses[response.status] = {
      description: response.description,
      ...(spec.public ? {} : { headers: { "Request-Id": REQUEST_ID_HEADER } }),
      content: { "application/json": { schema: refTo(response.schema) } },
    };
  for (const status of problemStatuses(spec)) {
    const codes = ERROR_CODE_NAMES.filter((code) => ERROR_CODES[code] === status);
    responses[status] = {
      description: `${PROBLEM_SUMMARY[status] ?? ""} Codes: ${codes.map((code) => `\`${code}\``).join(", ")}.`,
      headers: {
        "Request-Id": REQUEST_ID_HEADER,
        ...(status === 429 ? { "Retry-After": RETRY_AFTER_HEADER } : {}),
      },
      content: { "application/problem+json": { schema: refTo("Problem") } },
    };
  }
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.permission
      ? `${spec.description}\n\n${permissionNote(spec.permission)}`
      : spec.description,
    ...(spec.permission ? { "x-permission": spec.permission } : {}),
    tags: [spec.tag],
    ...(spec.public ? { security: [] } : {}),
    parameters,
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: refTo(spec.body.schema), example: spec.body.example } },
          },
        }
      : {}),
    responses,
  };
}

const DESCRIPTION = `Self-hosted crypto payments for EVM chains.

**Authentication.** Send your secret API key as \`Authorization: Bearer sk_…\`. A key belongs to one merchant; objects of other merchants answer 404. \`/api/health\` needs no key.

**Amounts.** Every amount is a decimal string in token units (\`"12.5"\`), never a JSON number, with the exact integer alongside as \`*_base_units\` (\`"12500000"\` for 12.5 USDC with 6 decimals). Block numbers are decimal strings too.

**Pagination.** Lists take \`limit\` (1–100, default 20) and \`starting_after=<id>\` and answer \`{"object": "list", "data": [...], "has_more", "next_cursor"}\`; pass \`next_cursor\` as the next \`starting_after\`.

**Idempotency.** Every POST accepts an \`Idempotency-Key\` header (at most 255 characters): the same key with the same body replays the first response, the same key with another body is a 409.

**Errors.** Errors are \`application/problem+json\` (RFC 9457): \`{type, title, status, detail, code, errors?, request_id?}\`. \`code\` is one of a closed set:

| code | status |
| --- | --- |
${ERROR_CODE_NAMES.map((code) => `| \`${code}\` | ${ERROR_CODES[code]} |`).join("\n")}
`;

export function buildOpenApiDocument(options: { serverUrl: string }): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const spec of OPERATIONS) {
    paths[spec.path] = { ...paths[spec.path], [spec.method]: buildOperation(spec) };
  }
  return {
    openapi: "3.1.0",
    info: { title: "cTrip Pay API", version: "1.0.0", description: DESCRIPTION },
    servers: [{ url: options.serverUrl }],
    tags: TAGS,
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas: {
        ...componentSchemas(RESPONSE_COMPONENTS, "output"),
        ...componentSchemas(REQUEST_COMPONENTS, "input"),
      } as Record<ComponentName, JsonSchema>,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "sk_…",
          description:
            "Secret API key of a merchant, created with `npm run admin -- create-api-key` (shown once).",
        },
      },
    },
  };
}
