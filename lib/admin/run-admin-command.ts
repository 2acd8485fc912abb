// The operator CLI (`npm run admin -- <command>`): JSON on stdout, errors on stderr.
import { parseArgs } from "node:util";
import { z } from "zod";
import { OPERATOR } from "../access/actor";
import { API_KEY_PERMISSIONS, ZApiKeyPermission, ZRole } from "../access/permissions";
import { createApiKey } from "../api-keys/create-api-key";
import { BACKUP_USAGE } from "../backup/run-backup-command";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { reconcileChain } from "../settlement/reconcile-chain";
import { createInvitation } from "../team/invitations";
import { addMember } from "../team/members";
import { ZMemberEmail, ZMemberPassword } from "../team/team-input";
import { zText } from "../validation/text";
import { INCIDENTS_USAGE, runIncidentsCommand } from "./incident-commands";

export const ADMIN_USAGE = `Usage: npm run admin -- <command> [options]
  create-merchant --name <name> --email <email> --password <password>   → {"merchant_id", "api_key"}
  create-api-key --merchant <merchant id> --name <name> [--permission <p>]...  (default: the default set)
                                                                         → {"id", "api_key", "permissions"}
  add-user --merchant <merchant id> --email <email> --role owner|admin|developer|viewer [--password <password>]
                                with --password → {"user_id", "email", "role"}; without → {"invitation_id", "invite_url", "expires_at"}
  list-merchants                                                         → {"object": "list", "data": [...]}
  reconcile --chain <name> [--merchant <merchant id>]                    → {"chain", "tokens", "flagged_payments", "gas", "flagged_gas"}
${INCIDENTS_USAGE}
${BACKUP_USAGE}`;

export class UsageError extends Error {
  override name = "UsageError";
}

const ZCreateMerchantArgs = z.object({
  name: zText().trim().min(1).max(200),
  email: z.email(),
  password: z.string().min(8, "must be at least 8 characters").max(200),
});
const ZCreateApiKeyArgs = z.object({
  merchant: z.string().min(1),
  name: zText().trim().min(1).max(200).default("API key"),
  /** Repeatable; none = DEFAULT_API_KEY_PERMISSIONS. */
  permission: z.array(ZApiKeyPermission).optional(),
});

const ZAddUserArgs = z.object({
  merchant: z.string().min(1, "required"),
  email: ZMemberEmail,
  role: ZRole,
  password: ZMemberPassword.optional(),
});

const ZReconcileArgs = z.object({
  chain: z.string().min(1, "required"),
  merchant: z.string().min(1).optional(),
});

export async function runAdminCommand(
  db: Db,
  argv: string[],
  mnemonic?: string,
  /** The configured chains (chains.yaml), for `reconcile`. */
  chains: TChain[] = [],
): Promise<unknown> {
  const [command, ...rest] = argv;
  if (command === "incidents") return runIncidentsCommand(db, rest, (message) => new UsageError(message));
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      merchant: { type: "string" },
      chain: { type: "string" },
      permission: { type: "string", multiple: true },
      role: { type: "string" },
    },
    strict: true,
  });
  switch (command) {
    case "create-merchant": {
      const args = parse(ZCreateMerchantArgs, values);
      const existing = await db.user.findUnique({
        where: { email: args.email.toLowerCase() },
        select: { id: true },
      });
      if (existing) throw new UsageError(`a user with email ${args.email} already exists`);
      const merchant = await createMerchant(db, args, mnemonic);
      // The owner's first key holds every API permission (DESIGN.md); later keys are chosen.
      const key = await createApiKey(
        { db, actor: OPERATOR },
        { merchantId: merchant.merchantId, name: "Default key", permissions: API_KEY_PERMISSIONS },
      );
      return { merchant_id: merchant.merchantId, api_key: key.apiKey };
    }
    case "create-api-key": {
      const args = parse(ZCreateApiKeyArgs, values);
      const merchant = await db.merchant.findUnique({ where: { id: args.merchant }, select: { id: true } });
      if (!merchant) throw new AppError("not_found", `no merchant ${args.merchant}`);
      // The operator may grant any API permission (e.g. payouts:approve for the owner's back office).
      const key = await createApiKey(
        { db, actor: OPERATOR },
        {
          merchantId: merchant.id,
          name: args.name,
          permissions: args.permission,
        },
      );
      return { id: key.id, api_key: key.apiKey, permissions: key.permissions };
    }
    case "add-user": {
      const args = parse(ZAddUserArgs, { ...values, merchant: values.merchant ?? "" });
      const merchant = await db.merchant.findUnique({ where: { id: args.merchant }, select: { id: true } });
      if (!merchant) throw new AppError("not_found", `no merchant ${args.merchant}`);
      const deps = { db, actor: OPERATOR };
      if (args.password) {
        const member = await addMember(deps, merchant.id, { ...args, password: args.password });
        return { user_id: member.id, email: member.email, role: member.role };
      }
      const invitation = await createInvitation(deps, merchant.id, args);
      return {
        invitation_id: invitation.id,
        invite_url: invitation.url,
        expires_at: invitation.expiresAt.toISOString(),
      };
    }
    case "list-merchants": {
      const merchants = await db.merchant.findMany({
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          name: true,
          createdAt: true,
          users: { select: { email: true }, where: { role: "owner" }, take: 1 },
          _count: { select: { payments: true, apiKeys: { where: { revokedAt: null } } } },
        },
      });
      return {
        object: "list",
        data: merchants.map((m) => ({
          id: m.id,
          name: m.name,
          owner_email: m.users[0]?.email ?? null,
          payments: m._count.payments,
          active_api_keys: m._count.apiKeys,
          created_at: m.createdAt.toISOString(),
        })),
      };
    }
    case "reconcile": {
      const args = parse(ZReconcileArgs, { chain: values.chain ?? "", merchant: values.merchant });
      if (!chains.some((chain) => chain.name === args.chain))
        throw new UsageError(
          `--chain: unknown chain ${args.chain}; configured: ${chains.map((c) => c.name).join(", ")}`,
        );
      return reconcileChain({ db, chains }, { chain: args.chain, merchantId: args.merchant });
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : "missing command");
  }
}

function parse<T>(schema: z.ZodType<T>, values: unknown): T {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  throw new UsageError(
    result.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("; "),
  );
}
