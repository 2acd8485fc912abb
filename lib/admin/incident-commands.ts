// `npm run admin -- incidents list [--all]` / `incidents ack <incident id>|--all`: the operator's
// view of chain incidents, and the acknowledgement that clears /api/health (see lib/health/chain-incidents.ts).
import { parseArgs } from "node:util";
import { OPERATOR } from "../access/actor";
import type { Db } from "../db/client";
import {
  acknowledgeChainIncidentsAsOperator,
  listChainIncidentsForOperator,
} from "../health/chain-incidents";

export const INCIDENTS_USAGE = `  incidents list [--all]                    open chain incidents (--all: acknowledged ones too) → {"object": "list", "data": [...]}
  incidents ack <incident id> | --all       acknowledge for everyone: /api/health and every dashboard stop showing it
                                                                         → {"acknowledged": [ids]}`;

/** Runs an `incidents` subcommand; throws `usage(message)` for bad arguments. */
export async function runIncidentsCommand(
  db: Db,
  argv: string[],
  usage: (message: string) => Error,
): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { all: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [subcommand, ...ids] = positionals;
  switch (subcommand) {
    case "list": {
      if (ids.length > 0) throw usage(`incidents list takes no argument (got ${ids.join(" ")})`);
      return { object: "list", data: await listChainIncidentsForOperator(db, { all: values.all }) };
    }
    case "ack": {
      const [id, ...extra] = ids;
      if (extra.length > 0 || (id === undefined) === !values.all)
        throw usage("incidents ack takes one incident id or --all");
      const target = id === undefined ? ({ all: true } as const) : { id };
      return { acknowledged: await acknowledgeChainIncidentsAsOperator({ db, actor: OPERATOR }, target) };
    }
    default:
      throw usage(
        subcommand ? `unknown incidents subcommand ${subcommand}` : "incidents: missing list or ack",
      );
  }
}
