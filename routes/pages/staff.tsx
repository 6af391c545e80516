import type { Context } from "hono";
import { Hono } from "hono";
import { authorized } from "../../auth/authorize.ts";
import { z } from "zod";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { confirmed, ConfirmStep } from "../../components/ConfirmStep.tsx";
import { Field } from "../../components/Field.tsx";
import type { OrgRole } from "../../db/schema.ts";
import type { AppEnv } from "../../http/env.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { listOrganizations, type Organization } from "../../registry/organizations.ts";
import { inviteMember, listMembers, type Member, removeMember } from "../../staff/memberships.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { formText } from "../../web/form.ts";
import type { StaffUser } from "../../staff/users.ts";

/** Least privileged first: an invitation grants the least unless the inviter picks more. */
const ROLES: { value: OrgRole; label: string; help: string }[] = [
  { value: "support", label: "Support", help: "looks things up" },
  { value: "marketing", label: "Marketing", help: "edits the loyalty programme" },
  { value: "admin", label: "Admin", help: "registers devices, issues tokens, manages staff" },
];

const InviteSchema = z.object({
  email: z.string().trim().email("enter an email address").max(254),
  name: z.string().trim().min(1, "enter a name").max(120),
  role: z.enum(["admin", "marketing", "support"], { error: "choose a role" }),
});

interface OrgCard {
  org: Organization;
  members: Member[];
  canManage: boolean;
  /** The signed-in installation owner, who reaches every organization without a membership. */
  owner?: StaffUser;
}

function OrgStaff(
  { card, csrf, errors, values, inviteUrl }: {
    card: OrgCard;
    csrf?: string;
    errors?: FieldError[];
    values?: Record<string, string>;
    inviteUrl?: string;
  },
) {
  const { org, members, canManage, owner } = card;
  return (
    <section class="card" id={`org-${org.id}`}>
      <h2>{org.name}</h2>
      {inviteUrl && (
        <div class="flash" role="status">
          <p>
            Send this one-time link to the person you invited. It is shown only now and works for 7
            days:
          </p>
          <input readOnly value={inviteUrl} aria-label="Invitation link" class="wide" />
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Status</th>
            {canManage && <th></th>}
          </tr>
        </thead>
        <tbody>
          {owner && (
            <tr>
              <td>{owner.name}</td>
              <td>{owner.email}</td>
              <td>owner (you)</td>
              <td>active</td>
              {canManage && <td></td>}
            </tr>
          )}
          {members.map((m) => (
            <tr>
              <td>{m.name}</td>
              <td>{m.email}</td>
              <td>{m.role}</td>
              <td>{m.active ? "active" : "invited"}</td>
              {canManage && (
                <td>
                  <form method="post" action={`/console/staff/${org.id}/remove`}>
                    <input type="hidden" name="_csrf" value={csrf} />
                    <input type="hidden" name="staffId" value={m.id} />
                    <button type="submit" class="secondary">Remove</button>
                  </form>
                </td>
              )}
            </tr>
          ))}
          {members.length === 0 && !owner && (
            <tr>
              <td colSpan={5}>No members yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      {canManage && (
        <form method="post" action={`/console/staff/${org.id}/invite`} class="row">
          <input type="hidden" name="_csrf" value={csrf} />
          <Field label="Email" name="email" type="email" value={values?.email} errors={errors} />
          <Field label="Name" name="name" value={values?.name} errors={errors} />
          <label>
            Role
            <select name="role">
              {ROLES.map((r) => (
                <option value={r.value} selected={(values?.role ?? "support") === r.value}>
                  {r.label} — {r.help}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Invite</button>
        </form>
      )}
    </section>
  );
}

/** The organizations whose staff the caller may see, with their members. */
async function cards(c: Context<AppEnv>): Promise<OrgCard[]> {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
  const out: OrgCard[] = [];
  for (const org of await listOrganizations(db, await visibleOrgIds(db, staff))) {
    const role = await roleIn(db, staff, org.id);
    if (!role || !can(role, "staff:read")) continue;
    out.push({
      org,
      members: await listMembers(db, org.id),
      canManage: can(role, "staff:manage"),
      owner: staff.is_owner ? staff : undefined,
    });
  }
  return out;
}

/** Staff management without JavaScript: plain forms, the invitation link shown once. */
export const staffPages = new Hono<AppEnv>()
  .get("/console/staff", requireStaff, async (c) => {
    const list = await cards(c);
    return renderPage(c, {
      title: "Staff",
      body: list.length
        ? (
          <>
            {list.map((card) => (
              <OrgStaff key={card.org.id} card={card} csrf={c.get("session")?.csrfToken} />
            ))}
          </>
        )
        : (
          <section class="card">
            <p>You do not manage the staff of any organization.</p>
          </section>
        ),
    });
  })
  .post("/console/staff/:orgId/invite", requireStaff, async (c) => {
    const { db, config } = c.get("deps");
    const orgId = c.req.param("orgId");
    await authorized(c, "organization", "staff:manage", orgId);
    const values = await formText(c);
    const parsed = InviteSchema.safeParse(values);
    let errors: FieldError[] | undefined;
    let inviteUrl: string | undefined;
    if (!parsed.success) errors = zodFieldErrors(parsed.error);
    else {
      try {
        const { inviteToken } = await inviteMember(db, {
          ...parsed.data,
          orgId,
          invitedBy: c.get("staff")!,
        });
        inviteUrl = `${config.publicUrl}/invite/${inviteToken}`;
      } catch (err) {
        if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
        errors = err.extra.errors;
      }
    }
    const list = await cards(c);
    return renderPage(c, {
      title: "Staff",
      body: (
        <>
          {list.map((card) =>
            card.org.id === orgId
              ? (
                <OrgStaff
                  key={card.org.id}
                  card={card}
                  csrf={c.get("session")?.csrfToken}
                  errors={errors}
                  values={errors ? values : undefined}
                  inviteUrl={inviteUrl}
                />
              )
              : <OrgStaff key={card.org.id} card={card} csrf={c.get("session")?.csrfToken} />
          )}
        </>
      ),
    }, errors ? 422 : 200);
  })
  .post("/console/staff/:orgId/remove", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const orgId = c.req.param("orgId");
    await authorized(c, "organization", "staff:manage", orgId);
    const form = await formText(c);
    const { staffId } = form;
    if (!confirmed(form)) {
      const member = (await listMembers(db, orgId)).find((m) => m.id === staffId);
      if (member) {
        const list = await cards(c);
        const org = list.find((card) => card.org.id === orgId)!.org;
        const csrf = c.get("session")?.csrfToken;
        return renderPage(c, {
          title: "Staff",
          body: (
            <>
              <ConfirmStep
                title={`Remove ${member.name} from ${org.name}?`}
                action={`/console/staff/${orgId}/remove`}
                form={form}
                confirmLabel={`Remove ${member.name}`}
                backHref="/console/staff"
                csrf={csrf}
              >
                <p>
                  {member.email} loses access to {org.name}{" "}
                  at once; to come back they need a new invitation.
                </p>
              </ConfirmStep>
              {list.map((card) => <OrgStaff key={card.org.id} card={card} csrf={csrf} />)}
            </>
          ),
        });
      }
    }
    const removed = await removeMember(db, orgId, staffId ?? "", c.get("staff")!);
    setFlash(
      c,
      removed
        ? { kind: "info", message: "Removed from the organization." }
        : { kind: "error", message: "That person is not a member." },
    );
    return c.redirect("/console/staff");
  });
