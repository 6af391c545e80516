/** Postgres error codes, the same from pg and PGlite. */
const UNIQUE_VIOLATION = "23505";

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: string; constraint?: string };
  return e.code === UNIQUE_VIOLATION && (!constraint || e.constraint === constraint);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are UUIDs; anything else cannot exist (and must not reach Postgres as one). */
export const isUuid = (s: string) => UUID.test(s);

/**
 * Postgres codes of a connection that is gone or not yet accepted: class 08 (connection
 * exception), 57P01–57P03 (terminated by an administrator, by a crash of another backend, or
 * the server still starting), 53300 (too many connections).
 */
const UNAVAILABLE_CODE = /^(08...|57P0[123]|53300)$/;
/** Socket errors of a connection to the database server. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);
/** What pg says of a client whose connection ended, or of a pool that found no connection. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/**
 * The database cannot be reached right now (a restart, terminated connections, a network
 * fault). The attempt's transaction did not commit, or (cut at its COMMIT) the server cannot
 * know: either way a retry with the same Idempotency-Key answers what was committed or does
 * the work once.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  // Connecting to a name with several addresses fails with each address's error.
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === "string" && (UNAVAILABLE_CODE.test(e.code) || SOCKET_CODES.has(e.code))) {
    return true;
  }
  return typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message);
}
