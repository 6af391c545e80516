import { z } from "@hono/zod-openapi";

export const Credentials = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(1).max(1024),
}).openapi("Credentials");
