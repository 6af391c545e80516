import { OpenAPIHono, z } from "@hono/zod-openapi";
import { isUuid } from "../db/errors.ts";
import type { AppEnv } from "./env.ts";
import { problemHook } from "./validation.ts";

/** Every resource group is one of these; mounted with app.route, their routes join one document. */
export const newRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: problemHook });

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
}).openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** The error answers a route can give, documented once. */
export const problems = {
  400: problem("Malformed JSON"),
  401: problem("Not authenticated"),
  403: problem("Authenticated but not allowed (role, CSRF)"),
  404: problem("Not found"),
  409: problem("Conflict"),
  413: problem("Body too large"),
  415: problem("Body is not application/json"),
  422: problem("A field is not valid; `errors` names each one"),
  429: problem("Too many attempts"),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** Admin API callers: a staff bearer token, or the console session (with X-CSRF-Token). */
export const staffSecurity: Record<string, string[]>[] = [{ staffBearer: [] }, {
  staffSession: [],
}];

/** A time in an answer: ISO 8601 in UTC. */
export const Timestamp = z.string().openapi({ format: "date-time" });
export const isoTime = (d: Date) => new Date(d).toISOString();

/** An id in a query or body: a UUID, else a 422 naming the field. */
export const Uuid = z.string().refine(isUuid, "not an id").openapi({ format: "uuid" });

/** An id in the path: anything but a UUID names nothing (404, see problemHook). */
export const IdParam = z.object({
  id: Uuid.openapi({ param: { name: "id", in: "path" }, example: "7f0c…" }),
});

/**
 * Spread into a POS route: documents the device bearer and the answers every POS call can
 * give. The POS sub-app (app.tsx) authenticates the device and resolves its programme before
 * any of its routes.
 */
export const posAuth = {
  security: [{ posBearer: [] }],
};
export const posProblems = {
  401: problems[401],
  403: problems[403],
  404: problems[404],
  409: problems[409],
  422: problems[422],
  429: problems[429],
};
