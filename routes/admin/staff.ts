import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems, Uuid } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { notFound } from "../../errors/problem.ts";
import { inviteMember, listMembers, removeMember } from "../../staff/memberships.ts";
import { memberJson, MemberSchema, MeSchema, NewMember } from "../../staff/staff_json.ts";

const V1 = "/api/admin/v1";
const tags = ["Staff"];
const MemberParams = z.object({
  id: Uuid.openapi({ param: { name: "id", in: "path" } }),
  staffId: Uuid.openapi({ param: { name: "staffId", in: "path" } }),
});

export const adminStaff = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/me`,
      tags,
      summary: "The signed-in staff user and their organizations",
      ...adminAuth,
      responses: { 200: jsonResponse(MeSchema, "The caller"), ...problems },
    }),
    async (c) => {
      const staff = c.get("staff")!;
      const memberships = await c.get("deps").db.selectFrom("staff_memberships")
        .select(["org_id", "role"]).where("staff_id", "=", staff.id).where("status", "=", "active")
        .execute();
      return c.json({
        id: staff.id,
        email: staff.email,
        name: staff.name,
        isOwner: staff.is_owner,
        memberships: memberships.map((m) => ({ organizationId: m.org_id, role: m.role })),
      }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/organizations/{id}/staff`,
      tags,
      summary: "The organization's staff members",
      ...adminAuth,
      request: { params: IdParam },
      responses: {
        200: jsonResponse(z.object({ items: z.array(MemberSchema) }), "Members"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      await authorized(c, "organization", "staff:read", id);
      return c.json({ items: (await listMembers(db, id)).map(memberJson) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/organizations/{id}/staff`,
      tags,
      summary: "Invite a person to the organization with a role",
      description: "Adds a pending membership and answers a one-time link (`inviteUrl`), shown " +
        "once to the inviter and valid for 7 days. The answer is the same whether or not the " +
        "email already has an account. Through the link a new person chooses a password; " +
        "someone who has one signs in to accept. The membership grants nothing until accepted.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewMember) },
      responses: {
        201: jsonResponse(
          z.object({ member: MemberSchema, inviteUrl: z.string() }),
          "Invited",
        ),
        ...problems,
      },
    }),
    async (c) => {
      const { db, config } = c.get("deps");
      const { id } = c.req.valid("param");
      await authorized(c, "organization", "staff:manage", id);
      const { member, inviteToken } = await inviteMember(db, {
        ...c.req.valid("json"),
        orgId: id,
        invitedBy: c.get("staff")!,
      });
      const inviteUrl = `${config.publicUrl}/invite/${inviteToken}`;
      return c.json({ member: memberJson(member), inviteUrl }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: `${V1}/organizations/{id}/staff/{staffId}`,
      tags,
      summary: "Remove a person from the organization",
      ...adminAuth,
      request: { params: MemberParams },
      responses: { 204: { description: "Removed" }, ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { id, staffId } = c.req.valid("param");
      await authorized(c, "organization", "staff:manage", id);
      if (!(await removeMember(db, id, staffId, c.get("staff")!))) throw notFound("member");
      return c.body(null, 204);
    },
  );
