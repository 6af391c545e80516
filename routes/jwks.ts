import { createRoute, z } from "@hono/zod-openapi";
import { jsonResponse, newRouter } from "../http/openapi.ts";
import { publicKeys } from "../tokens/signing_keys.ts";

const JwkSchema = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string(),
  kid: z.string(),
  alg: z.literal("EdDSA"),
  use: z.literal("sig"),
}).openapi("Jwk");

export const jwks = newRouter().openapi(
  createRoute({
    method: "get",
    path: "/.well-known/jwks.json",
    tags: ["Operations"],
    summary: "The public keys that verify our tokens",
    description: "The signing key and retired keys still within their grace; a key past its " +
      "grace is no longer listed. Cacheable for 5 minutes.",
    responses: { 200: jsonResponse(z.object({ keys: z.array(JwkSchema) }), "A JWK set") },
  }),
  async (c) => {
    const keys = await publicKeys(c.get("deps").db);
    c.header("Cache-Control", "public, max-age=300");
    return c.json({
      // Named fields only: nothing else stored with a key can leak through here.
      keys: keys.map(({ kid, jwk }) => ({
        kty: "OKP" as const,
        crv: "Ed25519" as const,
        x: jwk.x!,
        kid,
        alg: "EdDSA" as const,
        use: "sig" as const,
      })),
    }, 200);
  },
);
