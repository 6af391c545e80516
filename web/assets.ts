import { join } from "node:path";

/** What `deno task build` wrote: the island bundles' hashed URLs. */
export interface AssetManifest {
  islands: Record<string, string>;
  /** Size of every file, for the closing note and the build log. */
  files: Record<string, number>;
}

export const DIST_DIR = new URL("../dist/", import.meta.url).pathname;
export const ASSET_PREFIX = "/assets/";

export async function readManifest(dir = DIST_DIR): Promise<AssetManifest | null> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Serves a built file; names carry a content hash, so they are cached for a year. */
export async function serveAsset(name: string, dir = DIST_DIR): Promise<Response | null> {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.js$/.test(name)) return null;
  try {
    const body = await Deno.readFile(join(dir, name));
    return new Response(body, {
      headers: {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "public, max-age=31536000, immutable",
      },
    });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}
