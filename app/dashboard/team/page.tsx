import { hasPermission } from "@/lib/access/actor";
import { ROLES } from "@/lib/access/permissions";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { listPendingInvitations } from "@/lib/team/invitations";
import { listMembers } from "@/lib/team/members";
import { type Notices, PageNotice } from "../page-notice";
import { formatTimestamp } from "../status-badge";
import { changeMemberRoleAction, removeMemberAction, revokeInvitationAction } from "./actions";
import { InviteForm } from "./invite-form";

export const metadata = { title: "Team" };

const NOTICES: Notices = {
  "invitation-revoked": { text: "Invitation revoked: its link no longer works.", tone: "ok" },
  "role-changed": { text: "Role changed. It applies from the member's next click.", tone: "ok" },
  removed: { text: "Member removed: their session no longer works.", tone: "ok" },
  unconfirmed: { text: "Tick the confirmation box first.", tone: "bad" },
  "bad-role": { text: "Choose one of the roles.", tone: "bad" },
  forbidden: { text: "Only the owner can manage the team (team:write).", tone: "bad" },
  "last-owner": {
    text: "A merchant keeps at least one owner: make another member owner first.",
    tone: "bad",
  },
};

const ROLE_DESCRIPTIONS: Record<(typeof ROLES)[number], string> = {
  owner: "everything, including payout approval, money routing and the team",
  admin: "payments, refunds, payout requests, webhooks, API keys, account settings",
  developer: "API keys, webhooks, read access",
  viewer: "read access",
};

export default async function TeamPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, merchant, actor, role, userId } = await requireMerchantSession("/dashboard/team");
  const deps = { db, actor };
  const [members, invitations, { notice }] = await Promise.all([
    listMembers(deps, merchant.id),
    listPendingInvitations(deps, merchant.id),
    searchParams,
  ]);
  const canManage = hasPermission(actor, "team:write");
  return (
    <>
      <h1>Team</h1>
      <ul className="muted">
        {ROLES.map((name) => (
          <li key={name}>
            <strong>{name}</strong>: {ROLE_DESCRIPTIONS[name]}
          </li>
        ))}
      </ul>
      <PageNotice notices={NOTICES} notice={notice} />
      {canManage ? (
        <section className="card" aria-labelledby="invite-heading">
          <h2 id="invite-heading">Invite a member</h2>
          <InviteForm roles={ROLES} />
        </section>
      ) : (
        <p role="note" data-testid="team-read-only">
          You are a <strong>{role}</strong>: only the owner can invite members, change roles or remove
          members.
        </p>
      )}
      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {canManage ? <th scope="col">Manage</th> : null}
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={member.id} data-testid="member-row">
                  <td>
                    {member.email}
                    {member.id === userId ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td>{member.name ?? "—"}</td>
                  <td>{member.role}</td>
                  <td>{formatTimestamp(member.createdAt.toISOString())}</td>
                  {canManage ? (
                    <td>
                      <details>
                        <summary>Change role or remove</summary>
                        <form action={changeMemberRoleAction} className="inline-form">
                          <input type="hidden" name="userId" value={member.id} />
                          <label>
                            New role{" "}
                            <select
                              name="role"
                              defaultValue={member.role}
                              aria-label={`New role for ${member.email}`}
                            >
                              {ROLES.map((name) => (
                                <option key={name} value={name}>
                                  {name}
                                </option>
                              ))}
                            </select>
                          </label>
                          <label>
                            <input type="checkbox" name="confirm" required /> Confirm
                          </label>
                          <button type="submit" className="button button-small">
                            Change role
                          </button>
                        </form>
                        <form action={removeMemberAction} className="inline-form">
                          <input type="hidden" name="userId" value={member.id} />
                          <label>
                            <input type="checkbox" name="confirm" required /> Yes, remove {member.email}
                          </label>
                          <button type="submit" className="button button-danger button-small">
                            Remove
                          </button>
                        </form>
                      </details>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Pending invitations</h2>
        {invitations.length === 0 ? (
          <p className="muted">No pending invitations.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Expires</th>
                  {canManage ? <th scope="col">Revoke</th> : null}
                </tr>
              </thead>
              <tbody>
                {invitations.map((invitation) => (
                  <tr key={invitation.id} data-testid="invitation-row">
                    <td>{invitation.email}</td>
                    <td>{invitation.role}</td>
                    <td>{formatTimestamp(invitation.expiresAt.toISOString())}</td>
                    {canManage ? (
                      <td>
                        <form action={revokeInvitationAction}>
                          <input type="hidden" name="invitationId" value={invitation.id} />
                          <input type="hidden" name="confirm" value="on" />
                          <button
                            type="submit"
                            className="button button-danger button-small"
                            aria-label={`Revoke the invitation of ${invitation.email}`}
                          >
                            Revoke
                          </button>
                        </form>
                      </td>
                    ) : null}
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
