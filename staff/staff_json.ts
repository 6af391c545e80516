import { z } from "@hono/zod-openapi";
import { type Member } from "./memberships.ts";

export const OrgRole = z.enum(["admin", "marketing", "support"]);

export const MeSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  isOwner: z.boolean(),
  memberships: z.array(z.object({ organizationId: z.string(), role: OrgRole })),
}).openapi("Me");

export const MemberSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: OrgRole,
  active: z.boolean().openapi({
    description: "false until the invitation is accepted; a pending member has no access",
  }),
}).openapi("Member");

export const NewMember = z.object({
  email: z.string().trim().email().max(254),
  name: z.string().trim().min(1).max(120),
  role: OrgRole.default("support").openapi({
    description: "support (the least privileged) when absent",
  }),
}).strict().openapi("NewMember");

export const memberJson = (m: Member) => ({
  id: m.id,
  email: m.email,
  name: m.name,
  role: m.role,
  active: m.active,
});
