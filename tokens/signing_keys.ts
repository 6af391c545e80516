import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Db } from "../db/connection.ts";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface PublicKey {
  kid: string;
  jwk: JWK;
  /** Null while the key signs; once retired, the moment it stops verifying. */
  verifyUntil: Date | null;
}

const ALG = "EdDSA";

/** How far clocks may disagree: every token check allows it, and key retirement adds it. */
export const CLOCK_TOLERANCE_SECONDS = 60;

/** AES-GCM key from TOKEN_KEY_SECRET, so a database dump alone does not yield signing keys. */
async function wrappingKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return await crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

async function sealPrivate(jwk: JWK, secret?: string): Promise<string> {
  const text = JSON.stringify(jwk);
  if (!secret) return text;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await wrappingKey(secret),
    new TextEncoder().encode(text),
  );
  const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
  return `enc:${b64(iv)}:${b64(new Uint8Array(ct))}`;
}

async function openPrivate(stored: string, secret?: string): Promise<JWK> {
  if (!stored.startsWith("enc:")) return JSON.parse(stored);
  if (!secret) throw new Error("signing keys are encrypted: set TOKEN_KEY_SECRET");
  const [, iv, ct] = stored.split(":");
  const unb64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unb64(iv) },
    await wrappingKey(secret),
    unb64(ct),
  );
  return JSON.parse(new TextDecoder().decode(plain));
}

export async function createSigningKey(db: Db, secret?: string): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, {
    crv: "Ed25519",
    extractable: true,
  });
  const kid = crypto.randomUUID();
  await db.insertInto("signing_keys").values({
    kid,
    public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" }),
    private_jwk: await sealPrivate(await exportJWK(privateKey), secret),
  }).execute();
  return kid;
}

/** The newest key that is not retired signs; one is created on first use. */
export async function currentSigningKey(db: Db, secret?: string): Promise<SigningKey> {
  const pick = () =>
    db.selectFrom("signing_keys").select(["kid", "private_jwk"]).where("retired_at", "is", null)
      .orderBy("created_at", "desc").executeTakeFirst();
  let row = await pick();
  if (!row) {
    await createSigningKey(db, secret);
    row = await pick();
  }
  if (!row) throw new Error("no signing key");
  const privateKey = await importJWK(await openPrivate(row.private_jwk, secret), ALG);
  if (privateKey instanceof Uint8Array) throw new Error("signing key is not an Ed25519 key");
  return { kid: row.kid, privateKey };
}

/** The keys that verify at `now`: the signing key and retired keys still within their grace. */
export async function publicKeys(db: Db, now = new Date()): Promise<PublicKey[]> {
  const rows = await db.selectFrom("signing_keys").select(["kid", "public_jwk", "verify_until"])
    .where((eb) => eb.or([eb("verify_until", "is", null), eb("verify_until", ">", now)]))
    .orderBy("created_at", "desc").execute();
  return rows.map((r) => ({
    kid: r.kid,
    jwk: JSON.parse(r.public_jwk),
    verifyUntil: r.verify_until,
  }));
}
