import { hasPermission } from "@/lib/access/actor";
import { API_KEY_PERMISSIONS, DEFAULT_API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { listApiKeys } from "@/lib/api-keys/list-api-keys";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { ConfirmSubmit } from "../../_components/confirm-submit";
import { type Notices, PageNotice } from "../page-notice";
import { formatTimestamp } from "../status-badge";
import { revokeApiKeyAction } from "./actions";
import { CreateApiKeyForm } from "./create-api-key-form";

export const metadata = { title: "API keys" };

const NOTICES: Notices = {
  revoked: { text: "API key revoked.", tone: "ok" },
  "not-revoked": { text: "That key does not exist or is already revoked.", tone: "bad" },
};

export default async function ApiKeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/api-keys");
  const [keys, { notice }] = await Promise.all([listApiKeys({ db, actor }, merchant.id), searchParams]);
  // Members without keys:write (viewers) see the list only.
  const canWrite = hasPermission(actor, "keys:write");
  const offered = API_KEY_PERMISSIONS.filter((permission) => hasPermission(actor, permission));
  return (
    <>
      <h1>API keys</h1>
      <p className="muted">
        Keys authenticate your server to the REST API (<code>Authorization: Bearer sk_…</code>). See{" "}
        <a href="/docs">the API reference</a>.
      </p>
      <PageNotice notices={NOTICES} notice={notice} />
      {canWrite ? (
        <section className="card" aria-labelledby="new-key-heading">
          <h2 id="new-key-heading">Create a key</h2>
          <CreateApiKeyForm offered={offered} defaults={DEFAULT_API_KEY_PERMISSIONS} />
        </section>
      ) : null}
      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        {keys.length === 0 ? (
          <p className="muted">No API keys yet.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Permissions</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id} data-testid="api-key-row">
                    <td>{key.name}</td>
                    <td>
                      <code>sk_…{key.hint}</code>
                    </td>
                    <td data-testid="api-key-permissions">
                      {key.permissions.length > 0 ? key.permissions.join(", ") : "none"}
                    </td>
                    <td>{formatTimestamp(key.createdAt)}</td>
                    <td>{key.lastUsedAt ? formatTimestamp(key.lastUsedAt) : "never"}</td>
                    <td>
                      {key.revokedAt ? (
                        <span className="muted">revoked {formatTimestamp(key.revokedAt)}</span>
                      ) : !canWrite ? (
                        <span>active</span>
                      ) : (
                        <form action={revokeApiKeyAction}>
                          <input type="hidden" name="keyId" value={key.id} />
                          <ConfirmSubmit
                            label="Revoke"
                            ariaLabel={`Revoke ${key.name} (sk_…${key.hint})`}
                            className="button button-danger button-small"
                            title={`Revoke the key ${key.name}?`}
                            confirmLabel="Revoke the key"
                            danger
                            rows={[
                              { label: "Key", value: `${key.name} (sk_…${key.hint})` },
                              {
                                label: "Permissions",
                                value: key.permissions.length > 0 ? key.permissions.join(", ") : "none",
                              },
                              {
                                label: "Last used",
                                value: key.lastUsedAt ? formatTimestamp(key.lastUsedAt) : "never",
                              },
                            ]}
                            consequence="Every request with this key is refused at once (401). This cannot be undone: a server still using it stops working until it gets a new key."
                          />
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
