import { auditActionLabel } from "@/lib/audit/audit-action-labels";
import { auditActorLabel, auditActorLabels } from "@/lib/audit/audit-actor-labels";
import { listAuditLog, ZListAuditLogQuery } from "@/lib/audit/list-audit-log";
import { AUDIT_ACTIONS } from "@/lib/audit/record-audit-entry";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { parseListQuery } from "@/lib/dashboard/list-query";
import { ListPagination } from "../list-pagination";
import { formatTimestamp } from "../status-badge";
import { TableScroll } from "../table-scroll";

export const metadata = { title: "Audit log" };

const PATH = "/dashboard/audit-log";

function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

export default async function AuditLogPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, merchant, actor } = await requireMerchantSession(PATH);
  const { query, filters } = parseListQuery(ZListAuditLogQuery, await searchParams, [
    "action",
    "starting_after",
  ]);
  const page = await listAuditLog({ db, actor }, merchant.id, query);
  const labels = await auditActorLabels(db, merchant.id, page.data);
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        Who did what on this merchant, newest first: sign-ins, team, API keys, settings, payout reviews and
        refunds. Entries cannot be changed or deleted. Also available as <code>GET /api/v1/audit-log</code>.
      </p>
      <form method="get" action={PATH} className="inline-form" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={filters.get("action") ?? ""}>
            <option value="">All</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {auditActionLabel(action)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Filter
        </button>
      </form>
      <section className="card" aria-label="Audit log entries">
        {page.data.length === 0 ? (
          <p className="muted">No entries.</p>
        ) : (
          <TableScroll label="Audit log table">
            <table>
              <caption className="visually-hidden">Audit log</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">By</th>
                  <th scope="col">Details</th>
                  <th scope="col">Client address</th>
                  <th scope="col">Request</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((entry) => (
                  <tr key={entry.id} data-testid="audit-row">
                    <td>{formatTimestamp(entry.created_at)}</td>
                    <td title={entry.action}>{auditActionLabel(entry.action)}</td>
                    <td>{auditActorLabel(entry, labels)}</td>
                    <td>
                      {describeDetails(entry.details)}
                      {entry.target_id ? <span className="muted"> ({entry.target_id})</span> : null}
                    </td>
                    <td>{entry.client_address ?? "—"}</td>
                    <td>{entry.request_id ? <code>{entry.request_id}</code> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        <ListPagination path={PATH} filters={filters} nextCursor={page.next_cursor} />
      </section>
    </>
  );
}
