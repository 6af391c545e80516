import type { z } from "@hono/zod-openapi";
// Type-only: the bundle never pulls server code, yet the island breaks at `deno check` when
// the API's JSON shape changes.
import type { OrganizationTreeSchema } from "../registry/registry_json.ts";

export type OrgTree = z.infer<typeof OrganizationTreeSchema>;
export type SiteTree = OrgTree["sites"][number];
export type StoreTree = SiteTree["stores"][number];
export type PosItem = StoreTree["pos"][number];

/** What a POS, site or merchant token looks like in `GET /tokens`; never the token itself. */
export interface TokenItem {
  jti: string;
  kind: "pos" | "site" | "merchant";
  principalId: string;
  label: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  status: "active" | "revoked" | "expired";
}

/** `POST /pos/{id}/tokens` and `/sites/{id}/tokens`: the only answer that carries the token. */
export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: string;
}

export interface FieldError {
  field: string;
  message: string;
}

/** A problem+json answer (or a failure to get one), with the fields at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

const BASE = "/api/admin/v1";

const csrfToken = () =>
  document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";

const isFieldError = (v: unknown): v is FieldError =>
  typeof v === "object" && v !== null && typeof (v as FieldError).field === "string" &&
  typeof (v as FieldError).message === "string";

async function problemOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch { /* not JSON: fall back to the status below */ }
  const p = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  return new ApiError(
    res.status,
    typeof p.title === "string" ? p.title : `The request failed (HTTP ${res.status})`,
    typeof p.detail === "string" ? p.detail : undefined,
    Array.isArray(p.errors) ? p.errors.filter(isFieldError) : [],
  );
}

/**
 * Calls the admin API as the signed-in console user: the session cookie goes along by
 * itself; unsafe methods also echo the page's CSRF token, which the server requires.
 */
export async function api<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "The server could not be reached", "Check the connection and retry.");
  }
  if (!res.ok) throw await problemOf(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** One line for an alert, whatever was thrown; a bug in the page is also logged. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  console.error(err);
  return "Something went wrong in the page; reload it.";
}
