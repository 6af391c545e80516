/** Configuration from the environment; every default runs on a fresh machine. */
export interface Config {
  port: number;
  /** Unset → embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Public origin used as token issuer; defaults to http://localhost:<port>. */
  publicUrl: string;
  /** Encrypts private signing keys at rest when set. */
  tokenKeySecret?: string;
  adminEmail?: string;
  adminPassword?: string;
  /** Max request body, bytes. */
  bodyLimit: number;
  logRequests: boolean;
  /** Requests per device token and minute on the POS API, per instance; 0 = no limit. */
  rateLimitPosPerMinute: number;
  /** Admin API writes per staff member and minute, per instance; 0 = no limit. */
  rateLimitAdminPerMinute: number;
}

function count(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} is not a count: ${raw}`);
  return n;
}

export function loadConfig(env: Record<string, string | undefined> = Deno.env.toObject()): Config {
  const port = Number(env.PORT ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT is not a port: ${env.PORT}`);
  }
  return {
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? "./data",
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${port}`,
    tokenKeySecret: env.TOKEN_KEY_SECRET || undefined,
    adminEmail: env.ADMIN_EMAIL || undefined,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    bodyLimit: Number(env.BODY_LIMIT ?? 1024 * 1024),
    logRequests: env.LOG_REQUESTS !== "false",
    rateLimitPosPerMinute: count(env, "RATE_LIMIT_POS_PER_MINUTE", 6000),
    rateLimitAdminPerMinute: count(env, "RATE_LIMIT_ADMIN_PER_MINUTE", 600),
  };
}
