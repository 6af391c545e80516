import { createApp } from "../../app.tsx";
import { loadConfig } from "../../config.ts";
import { islandRegistry } from "../../islands/registry.ts";
import type { OrgRole } from "../../db/schema.ts";
import {
  acceptInviteAsStaff,
  acceptInviteWithPassword,
  inviteMember,
} from "../../staff/memberships.ts";
import { createOwner } from "../../staff/users.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

export const ORIGIN = "http://localhost:8000";
export const PASSWORD = "correct horse battery";

/**
 * In-process app over a fresh test database; island URLs are named, not built. Rate limits
 * are off unless a test sets them: suites make hundreds of calls as one staff member.
 * `notifications: false` makes an instance that hears no database notifications, as when they
 * are lost: only its caches' time bounds apply. With `database`, the app runs over that one
 * (another instance of the same deployment), and `close()` leaves it open.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  opts: { notifications?: boolean; database?: TestDatabase } = {},
) {
  const database: TestDatabase = opts.database ?? await createTestDatabase();
  const config = {
    ...loadConfig({
      PUBLIC_URL: ORIGIN,
      RATE_LIMIT_POS_PER_MINUTE: "0",
      RATE_LIMIT_ADMIN_PER_MINUTE: "0",
      ...env,
    }),
    logRequests: false,
    // The test's own database, where the replay workers read their pages on Postgres.
    databaseUrl: database.url,
  };
  const assets = {
    islands: Object.fromEntries(
      Object.keys(islandRegistry).map((n) => [n, `/assets/${n}-test.js`]),
    ),
    files: {},
  };
  const app = createApp({
    db: database.db,
    dbKind: database.kind,
    config,
    assets,
    listen: opts.notifications === false ? undefined : database.listen,
  });
  const request = (path: string, init?: RequestInit) => app.request(ORIGIN + path, init);
  const close = () => opts.database ? Promise.resolve() : database.close();
  return { app, db: database.db, database, config, request, close };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Runs `fn` with an app of its own over a fresh database, closed afterwards. */
export async function withApp(
  fn: (t: TestApp) => Promise<void>,
  env: Record<string, string> = {},
) {
  const t = await createTestApp(env);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

export async function addOwner(t: TestApp, email = "owner@example.com") {
  return (await createOwner(t.db, { email, name: "Olivia Owner", password: PASSWORD }))!;
}

/**
 * A member of `orgId` with `role`, through the real invitation flow: a new person chooses
 * the password, someone who has one accepts as themselves.
 */
export async function addMember(t: TestApp, orgId: string, role: OrgRole, email: string) {
  const owner = await t.db.selectFrom("staff_users").select(["id", "email"])
    .where("is_owner", "=", true)
    .executeTakeFirstOrThrow();
  const { member, inviteToken } = await inviteMember(t.db, {
    orgId,
    email,
    name: `${role} user`,
    role,
    invitedBy: owner,
  });
  if (!(await acceptInviteWithPassword(t.db, inviteToken, PASSWORD))) {
    await acceptInviteAsStaff(t.db, inviteToken, member.id);
  }
  return { ...member, active: true };
}

export async function bearerFor(t: TestApp, email: string, password = PASSWORD) {
  const res = await t.request("/api/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).token as string;
}

/** Signs in through the form; returns the cookie header and the page's CSRF token. */
export async function signIn(t: TestApp, email: string, password = PASSWORD) {
  const res = await t.request("/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
    body: new URLSearchParams({ email, password }),
  });
  if (res.status !== 302) throw new Error(`sign-in: ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("le_session="))!
    .split(";")[0];
  const page = await (await t.request("/console", { headers: { Cookie: cookie } })).text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)![1];
  return { cookie, csrf };
}

/** The problem+json body of a response or of an `adminCall` answer; throws on another type. */
export async function problemOf(res: Response | ApiAnswer) {
  if (!(res instanceof Response)) {
    if (!res.type.startsWith("application/problem+json")) {
      throw new Error(`expected problem+json, got ${res.type}: ${JSON.stringify(res.json)}`);
    }
    return res.json;
  }
  const type = res.headers.get("Content-Type") ?? "";
  if (!type.startsWith("application/problem+json")) {
    throw new Error(`expected problem+json, got ${type}: ${await res.text()}`);
  }
  return await res.json();
}

export interface ApiAnswer {
  status: number;
  /** The Content-Type, to tell problem+json from JSON. */
  type: string;
  // deno-lint-ignore no-explicit-any -- tests read whatever the endpoint answered.
  json: any;
  headers: Headers;
}

/**
 * One admin API call as a staff bearer (or anonymous with `null`): the status, content type,
 * parsed body (null for an empty answer, text when it is not JSON) and headers.
 */
export async function adminCall(
  t: TestApp,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const res = await t.request(`/api/admin/v1${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = res.headers.get("Content-Type") ?? "";
  const text = await res.text();
  const json = text === "" ? null : type.includes("json") ? JSON.parse(text) : text;
  return { status: res.status, type, json, headers: res.headers };
}
