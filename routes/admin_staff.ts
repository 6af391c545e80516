import { createRoute, z } from "@hono/zod-openapi";
import { requirePermission } from "../auth/middleware.ts";
import { jsonBody, jsonResponse, newRouter, problems } from "../http/openapi.ts";
import { createStaff, listStaff, type StaffUser } from "../staff/users.ts";

const ROLES = ["owner", "admin", "marketing", "support"] as const;

export const StaffSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string().openapi({ format: "date-time" }),
}).openapi("Staff");

const NewStaffSchema = z.object({
  email: z.string().trim().email().max(254),
  name: z.string().trim().min(1).max(120),
  // One owner per installation: the role is set at setup and not granted here.
  role: z.enum(["admin", "marketing", "support"]),
  password: z.string().min(12, "at least 12 characters").max(1024),
}).strict().openapi("NewStaff");

const toJson = (s: StaffUser) => ({
  id: s.id,
  email: s.email,
  name: s.name,
  role: s.role,
  createdAt: new Date(s.created_at).toISOString(),
});

const security: Record<string, string[]>[] = [{ staffBearer: [] }, { staffSession: [] }];
const errors = { 401: problems[401], 403: problems[403] };

export const adminStaff = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/api/admin/v1/me",
      tags: ["Staff"],
      summary: "The signed-in staff user",
      security,
      middleware: [requirePermission("console:view")] as const,
      responses: { 200: jsonResponse(StaffSchema, "The caller"), ...errors },
    }),
    (c) => c.json(toJson(c.var.staff!), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/api/admin/v1/staff",
      tags: ["Staff"],
      summary: "List staff users",
      security,
      middleware: [requirePermission("staff:read")] as const,
      responses: {
        200: jsonResponse(z.object({ items: z.array(StaffSchema) }), "Every staff user"),
        ...errors,
      },
    }),
    async (c) => c.json({ items: (await listStaff(c.var.deps.db)).map(toJson) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api/admin/v1/staff",
      tags: ["Staff"],
      summary: "Create a staff user",
      security,
      middleware: [requirePermission("staff:manage")] as const,
      request: { body: jsonBody(NewStaffSchema) },
      responses: {
        201: jsonResponse(StaffSchema, "Created"),
        ...errors,
        400: problems[400],
        409: problems[409],
        413: problems[413],
        415: problems[415],
        422: problems[422],
      },
    }),
    async (c) => c.json(toJson(await createStaff(c.var.deps.db, c.req.valid("json"))), 201),
  );
