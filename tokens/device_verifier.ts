import { errors, importJWK, jwtVerify } from "jose";
import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { Status, TokenKind } from "../db/schema.ts";
import { DEVICE_AUDIENCE, DEVICE_SCOPE } from "./device_tokens.ts";
import { invalidToken } from "./errors.ts";
import { CLOCK_TOLERANCE_SECONDS, publicKeys } from "./signing_keys.ts";
import { sha256 } from "../crypto/random.ts";

/**
 * How long a verified token is trusted without a second look. It bounds how late another
 * instance notices a revocation or a disabled device when the notification on DEVICE_CHANNEL
 * is lost; the instance that revokes evicts at once.
 */
export const DEVICE_CACHE_TTL_MS = 5_000;
/** Announces, on commit, any change to tokens, keys or the registry (a trigger). */
export const DEVICE_CHANNEL = "le_devices";
/** An unknown kid reloads the keys (a rotation elsewhere), but not more often than this. */
const KEY_RELOAD_MIN_MS = 1_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * The POS, site or merchant a device token acts as, with the store's details when a POS is
 * known.
 */
export interface DevicePrincipal {
  /** The token's kind: a site or merchant token acting for a POS keeps its kind. */
  kind: TokenKind;
  jti: string;
  org: string;
  /** Absent only for a merchant token not acting for a POS. */
  site?: string;
  merchant?: string;
  store?: string;
  pos?: string;
  storeNumber?: number;
  posNumber?: number;
  /** The store's IANA zone: its trading day. */
  timezone?: string;
}

/** A POS named by its store number and its number in that store. */
export interface PosNumbers {
  storeNumber: number;
  posNumber: number;
}

export interface DeviceVerifierOptions {
  db: Db;
  issuer: string;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

const Uuid = z.string().refine(isUuid);
const DeviceClaims = z.object({
  sub: z.string().regex(/^(pos|site|merchant):/)
    .refine((s) => isUuid(s.slice(s.indexOf(":") + 1))),
  jti: Uuid,
  org: Uuid,
  exp: z.number(),
  scope: z.literal(DEVICE_SCOPE),
});
type DeviceClaims = z.infer<typeof DeviceClaims>;

type Outcome = { principal: DevicePrincipal } | { refused: string };
interface CacheEntry {
  until: number;
  /** The token's id, so a revocation evicts every entry about it. */
  jti: string;
  outcome: Promise<Outcome>;
}
interface VerifyingKey {
  key: CryptoKey;
  /** Epoch milliseconds; null while the key still signs. */
  verifyUntil: number | null;
}

const allActive = (...statuses: Status[]) => statuses.every((s) => s === "active");
const notForThatPos = { refused: "the token cannot act for that POS" };

/**
 * Checks device tokens: signature and claims (the keys are kept in memory), then what the
 * database says (revoked, unknown jti, disabled device or parent). The whole answer is cached
 * by the SHA-256 of the whole token — never by its jti, which a forged or re-signed token
 * could repeat — for DEVICE_CACHE_TTL_MS and never past the token's `exp`. One per app: the
 * revoke route calls `evict`, so a revocation on this instance applies to the next request.
 */
export class DeviceVerifier {
  readonly #db: Db;
  readonly #issuer: string;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();
  #keys?: { loadedAt: number; byKid: Promise<Map<string, VerifyingKey>> };

  constructor(opts: DeviceVerifierOptions) {
    this.#db = opts.db;
    this.#issuer = opts.issuer;
    this.#now = opts.now ?? (() => Date.now());
  }

  /** The token's principal, or a 401 problem. */
  async verify(token: string): Promise<DevicePrincipal> {
    const now = this.#now();
    const key = sha256(token);
    const hit = this.#cache.get(key);
    if (hit && hit.until > now) return await this.#answer(hit);
    const { claims, keyUntil } = await this.#checkSignature(token);
    // Trusted no longer than the bound, the token's life or its key's grace.
    const until = Math.min(now + DEVICE_CACHE_TTL_MS, claims.exp * 1000, keyUntil ?? Infinity);
    return await this.#cached(key, claims.jti, until, () => this.#lookup(claims));
  }

  /**
   * A site token acting for one POS of its site, or a merchant token for one POS of its
   * stores. A POS token may name only itself. An unknown or disabled POS, or one outside the
   * token's reach, is refused alike (401): nothing tells which.
   */
  async actFor(principal: DevicePrincipal, pos: PosNumbers): Promise<DevicePrincipal> {
    if (principal.kind === "pos") {
      if (principal.storeNumber === pos.storeNumber && principal.posNumber === pos.posNumber) {
        return principal;
      }
      throw invalidToken(notForThatPos.refused);
    }
    // The principal comes from a verified token, so its jti names one token on record.
    const key = `${principal.jti}|${pos.storeNumber}|${pos.posNumber}`;
    const now = this.#now();
    const hit = this.#cache.get(key);
    if (hit && hit.until > now) return await this.#answer(hit);
    return await this.#cached(
      key,
      principal.jti,
      now + DEVICE_CACHE_TTL_MS,
      () => this.#lookupPos(principal, pos),
    );
  }

  /** Forgets every answer about a token (it was just revoked here). */
  evict(jti: string): void {
    for (const [key, entry] of this.#cache) if (entry.jti === jti) this.#cache.delete(key);
  }

  /** Forgets every answer: a device or a parent of devices was just disabled or enabled here. */
  evictAll(): void {
    this.#cache.clear();
  }

  /** The claims, and until when the key that signed them verifies (null: it still signs). */
  async #checkSignature(
    token: string,
  ): Promise<{ claims: DeviceClaims; keyUntil: number | null }> {
    const now = this.#now();
    let keyUntil: number | null = null;
    try {
      const { payload } = await jwtVerify(token, async (header) => {
        const key = await this.#key(header.kid, now);
        keyUntil = key.verifyUntil;
        return key.key;
      }, {
        algorithms: ["EdDSA"],
        issuer: this.#issuer,
        audience: DEVICE_AUDIENCE,
        requiredClaims: ["exp", "jti", "sub"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now),
      });
      const claims = DeviceClaims.safeParse(payload);
      if (!claims.success) throw invalidToken("not a device token");
      return { claims: claims.data, keyUntil };
    } catch (err) {
      // Only the token's faults are 401s: a database error loading the keys stays a 500, so a
      // device is not told its token is bad during an outage.
      if (!(err instanceof errors.JOSEError)) throw err;
      if (err instanceof errors.JWTExpired) throw invalidToken("token expired");
      // Names the claim at fault (iss, aud, nbf, a missing exp): enough to fix a device's setup.
      if (err instanceof errors.JWTClaimValidationFailed) throw invalidToken(err.message);
      throw invalidToken("token not valid");
    }
  }

  async #key(kid: string | undefined, now: number): Promise<VerifyingKey> {
    if (!kid) throw invalidToken("unknown key id");
    let found = (await this.#keyring(now, false)).get(kid);
    if (!found) found = (await this.#keyring(now, true)).get(kid);
    // Checked here too: a key loaded while in its grace is dropped the moment the grace ends.
    if (!found || (found.verifyUntil !== null && found.verifyUntil <= now)) {
      throw invalidToken("unknown key id");
    }
    return found;
  }

  #keyring(now: number, unknownKid: boolean): Promise<Map<string, VerifyingKey>> {
    const ring = this.#keys;
    const age = ring ? now - ring.loadedAt : Infinity;
    if (ring && age < DEVICE_CACHE_TTL_MS && !(unknownKid && age >= KEY_RELOAD_MIN_MS)) {
      return ring.byKid;
    }
    const byKid = this.#loadKeys(now);
    this.#keys = { loadedAt: now, byKid };
    byKid.catch(() => {
      if (this.#keys?.byKid === byKid) this.#keys = undefined;
    });
    return byKid;
  }

  async #loadKeys(now: number): Promise<Map<string, VerifyingKey>> {
    const keys = await publicKeys(this.#db, new Date(now));
    return new Map(
      await Promise.all(keys.map(async (k) => {
        const key = await importJWK(k.jwk, "EdDSA");
        if (key instanceof Uint8Array) throw new Error(`key ${k.kid} is not an Ed25519 key`);
        return [k.kid, { key, verifyUntil: k.verifyUntil?.getTime() ?? null }] as const;
      })),
    );
  }

  /**
   * Looks up and caches until `until`; concurrent callers of a fresh entry share its lookup.
   * The entry is stored before the lookup ends, so an `evict` during the lookup also drops its
   * (possibly stale) answer.
   */
  #cached(
    key: string,
    jti: string,
    until: number,
    lookup: () => Promise<Outcome>,
  ): Promise<DevicePrincipal> {
    const now = this.#now();
    let entry = this.#cache.get(key);
    if (!entry || entry.until <= now) {
      this.#prune(now);
      const fresh: CacheEntry = { until, jti, outcome: lookup() };
      this.#cache.set(key, fresh);
      // A failed lookup (database down) is no answer: the next call tries again.
      fresh.outcome.catch(() => {
        if (this.#cache.get(key) === fresh) this.#cache.delete(key);
      });
      entry = fresh;
    }
    return this.#answer(entry);
  }

  async #answer(entry: CacheEntry): Promise<DevicePrincipal> {
    const outcome = await entry.outcome;
    if ("refused" in outcome) throw invalidToken(outcome.refused);
    return outcome.principal;
  }

  #prune(now: number) {
    if (this.#cache.size < CACHE_MAX_ENTRIES) return;
    for (const [key, entry] of this.#cache) if (entry.until <= now) this.#cache.delete(key);
    // Still full of live entries: drop the oldest; they are only a cache.
    for (const key of this.#cache.keys()) {
      if (this.#cache.size < CACHE_MAX_ENTRIES) break;
      this.#cache.delete(key);
    }
  }

  /** The token must be on record, unrevoked, for this principal, all of its chain active. */
  async #lookup(claims: DeviceClaims): Promise<Outcome> {
    const [kind, id] = claims.sub.split(":") as [TokenKind, string];
    const token = this.#db.selectFrom("access_tokens as t")
      .innerJoin("organizations as o", "o.id", "t.org_id")
      .select(["t.revoked_at", "o.status as org_status"])
      .where("t.jti", "=", claims.jti).where("t.org_id", "=", claims.org)
      .where("t.kind", "=", kind).where("t.principal_id", "=", id);
    const base = { kind, jti: claims.jti, org: claims.org };
    if (kind === "merchant") {
      const row = await token.innerJoin("merchants as m", "m.id", "t.principal_id")
        .where("m.org_id", "=", claims.org).executeTakeFirst();
      if (!row) return { refused: "token not on record" };
      if (row.revoked_at) return { refused: "token revoked" };
      if (!allActive(row.org_status)) return { refused: "the organization is disabled" };
      return { principal: { ...base, merchant: id } };
    }
    if (kind === "site") {
      const row = await token.innerJoin("sites as s", "s.id", "t.principal_id")
        .select("s.status as site_status").where("s.org_id", "=", claims.org)
        .executeTakeFirst();
      if (!row) return { refused: "token not on record" };
      if (row.revoked_at) return { refused: "token revoked" };
      if (!allActive(row.site_status, row.org_status)) {
        return { refused: "the site or its organization is disabled" };
      }
      return { principal: { ...base, site: id } };
    }
    const row = await token.innerJoin("pos as p", "p.id", "t.principal_id")
      .innerJoin("stores as st", "st.id", "p.store_id")
      .innerJoin("sites as s", "s.id", "p.site_id")
      .select([
        "p.status as pos_status",
        "st.status as store_status",
        "s.status as site_status",
        "p.site_id",
        "p.store_id",
        "st.number as store_number",
        "p.number as pos_number",
        "st.timezone",
      ])
      .where("p.org_id", "=", claims.org).executeTakeFirst();
    if (!row) return { refused: "token not on record" };
    if (row.revoked_at) return { refused: "token revoked" };
    if (!allActive(row.pos_status, row.store_status, row.site_status, row.org_status)) {
      return { refused: "the POS or its store, site or organization is disabled" };
    }
    return {
      principal: {
        ...base,
        site: row.site_id,
        store: row.store_id,
        pos: id,
        storeNumber: row.store_number,
        posNumber: row.pos_number,
        timezone: row.timezone,
      },
    };
  }

  /**
   * The site (or merchant) and organization were checked by `verify`; the POS, its store and
   * site are here. Store numbers are unique per site only, so a merchant whose stores share a
   * number across sites cannot name those POS by number: refused rather than guessed.
   */
  async #lookupPos(by: DevicePrincipal, numbers: PosNumbers): Promise<Outcome> {
    let q = this.#db.selectFrom("pos as p")
      .innerJoin("stores as st", "st.id", "p.store_id")
      .innerJoin("sites as s", "s.id", "p.site_id")
      .select(["p.id", "p.store_id", "p.site_id", "st.timezone"])
      .where("st.org_id", "=", by.org)
      .where("st.number", "=", numbers.storeNumber).where("p.number", "=", numbers.posNumber)
      .where("st.status", "=", "active").where("p.status", "=", "active")
      .where("s.status", "=", "active")
      .limit(2);
    if (by.merchant) {
      q = q.innerJoin("merchant_stores as ms", "ms.store_id", "st.id")
        .where("ms.merchant_id", "=", by.merchant);
    } else q = q.where("st.site_id", "=", by.site!);
    const rows = await q.execute();
    if (rows.length !== 1) return notForThatPos;
    const [row] = rows;
    return {
      principal: {
        ...by,
        site: row.site_id,
        store: row.store_id,
        pos: row.id,
        ...numbers,
        timezone: row.timezone,
      },
    };
  }
}
