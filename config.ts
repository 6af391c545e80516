import denoJson from "./deno.json" with { type: "json" };

/** The app's version (deno.json `version`): part of the code, so no permission reads it. */
export const APP_VERSION: string = denoJson.version;

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
  /** Apply pending migrations at start; when false, a server behind stays not ready. */
  migrateOnStart: boolean;
  /** Lets a server on Postgres store signing keys in clear (no TOKEN_KEY_SECRET). */
  allowUnencryptedKeys: boolean;
  /** The SMTP server emails go through; unset → each message is written to the log. */
  smtp?: SmtpConfig;
  /** The From of every email: an address, or `Name <address>`. */
  mailFrom: string;
  /** Replay workers per replay (0: in the server's thread); unset → one per core but one. */
  replayWorkers?: number;
}

export type SmtpConfig =
  | { url: string }
  | { host: string; port: number; secure: boolean; user?: string; password?: string };

/** SMTP_URL, else SMTP_HOST with its port (587; 465 when SMTP_SECURE), TLS and login. */
function smtpConfig(env: Record<string, string | undefined>): SmtpConfig | undefined {
  if (env.SMTP_URL) return { url: env.SMTP_URL };
  if (!env.SMTP_HOST) return undefined;
  const secure = env.SMTP_SECURE === "true";
  const port = Number(env.SMTP_PORT || (secure ? 465 : 587));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`SMTP_PORT is not a port: ${env.SMTP_PORT}`);
  }
  return {
    host: env.SMTP_HOST,
    port,
    secure,
    user: env.SMTP_USER || undefined,
    password: env.SMTP_PASSWORD || undefined,
  };
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
    migrateOnStart: env.MIGRATE_ON_START !== "false",
    allowUnencryptedKeys: env.ALLOW_UNENCRYPTED_KEYS === "true",
    smtp: smtpConfig(env),
    mailFrom: env.MAIL_FROM || "Loyalty Edge <no-reply@localhost>",
    replayWorkers: env.REPLAY_WORKERS ? count(env, "REPLAY_WORKERS", 0) : undefined,
  };
}

/**
 * Why a server (or a command that makes signing keys) must not start with this configuration,
 * in one line, or null. On a Postgres server (production) the signing keys are encrypted at
 * rest unless that is waived; the embedded database is for development.
 */
export function startRefusal(config: Config): string | null {
  const onServer = /^postgres(ql)?:\/\//.test(config.databaseUrl ?? "");
  if (onServer && !config.tokenKeySecret && !config.allowUnencryptedKeys) {
    return "TOKEN_KEY_SECRET is not set: on a Postgres server the token signing keys are " +
      "encrypted at rest with it (e.g. TOKEN_KEY_SECRET=$(openssl rand -base64 32)); " +
      "ALLOW_UNENCRYPTED_KEYS=true stores them in clear instead";
  }
  return null;
}
