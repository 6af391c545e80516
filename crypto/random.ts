import { createHash } from "node:crypto";

/** A URL-safe random secret (session cookies, invitation links, demo passwords). */
export function randomToken(bytes = 32): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...b)).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

/**
 * Hex SHA-256: secrets are stored by hash, request bodies compared by hash, verified device
 * tokens cached by hash. Synchronous (node:crypto): it runs on every POS call, where the
 * promise of WebCrypto's digest cost more than the hashing.
 */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
