import { join } from "node:path";
import { islandRegistry } from "../islands/registry.ts";
import { ASSET_PREFIX, type AssetManifest, DIST_DIR } from "./assets.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function contentHash(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(d.slice(0, 5), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A file replaced whole (written aside, then renamed over): a server reading `dist/` while
 * another build runs never serves half a bundle.
 */
async function writeAtomically(path: string, bytes: Uint8Array) {
  const aside = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeFile(aside, bytes);
  await Deno.rename(aside, path);
}

/**
 * Where each island's module is: `islands/<Name>.tsx`, or in its screen's folder
 * (`islands/rules/RuleEditor.tsx`). A name found twice or nowhere stops the build.
 */
async function islandFiles(names: string[]): Promise<Record<string, string>> {
  const found: Record<string, string[]> = {};
  const look = async (dir: string, depth: number) => {
    for await (const f of Deno.readDir(dir)) {
      const path = join(dir, f.name);
      if (f.isDirectory && depth === 0) await look(path, 1);
      else if (f.isFile && f.name.endsWith(".tsx")) (found[f.name.slice(0, -4)] ??= []).push(path);
    }
  };
  await look(join(ROOT, "islands"), 0);
  const files: Record<string, string> = {};
  for (const name of names) {
    const paths = found[name] ?? [];
    if (paths.length !== 1) {
      throw new Error(`island ${name}: ${paths.length} files named ${name}.tsx under islands/`);
    }
    files[name] = paths[0];
  }
  return files;
}

/**
 * Bundles each island with `deno bundle --code-splitting`: one entry per island plus a
 * shared chunk holding Preact, signals and the boot code. Entries are renamed with a
 * content hash (chunks already carry esbuild's), so every URL can be cached forever.
 */
export async function buildIslands(outDir = DIST_DIR): Promise<AssetManifest> {
  const work = join(ROOT, ".build", `islands-${crypto.randomUUID()}`);
  const entries = join(work, "entries");
  const out = join(work, "out");
  await Deno.mkdir(entries, { recursive: true });
  const names = Object.keys(islandRegistry);
  // `_boot` as an entry of its own forces Preact, signals and the boot into one chunk that
  // every island imports, even while there is a single island. All entries sit in one
  // folder so the output is flat.
  await Deno.writeTextFile(
    join(entries, "_boot.ts"),
    [
      `export * from "${join(ROOT, "web/boot.ts")}";`,
      `export * from "preact/jsx-runtime";`,
      `export * from "preact/hooks";`,
      `export * from "@preact/signals";`,
    ].join("\n"),
  );
  const files = await islandFiles(names);
  for (const name of names) {
    await Deno.writeTextFile(
      join(entries, `${name}.ts`),
      `import { boot } from "${join(ROOT, "web/boot.ts")}";\n` +
        `import Island from "${files[name]}";\n` +
        `boot(${JSON.stringify(name)}, Island);\n`,
    );
  }
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=browser",
      "--code-splitting",
      "--minify",
      "--format=esm",
      `--config=${join(ROOT, "deno.json")}`,
      `--outdir=${out}`,
      join(entries, "_boot.ts"),
      ...names.map((n) => join(entries, `${n}.ts`)),
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const result = await cmd.output();
  if (!result.success) {
    throw new Error(`deno bundle failed:\n${new TextDecoder().decode(result.stderr)}`);
  }

  await Deno.mkdir(outDir, { recursive: true });
  const manifest: AssetManifest = { islands: {}, files: {} };
  for await (const f of Deno.readDir(out)) {
    if (!f.isFile || !f.name.endsWith(".js") || f.name === "_boot.js") continue;
    const bytes = await Deno.readFile(join(out, f.name));
    const base = f.name.slice(0, -3);
    const isEntry = names.includes(base);
    const target = isEntry ? `${base}-${await contentHash(bytes)}.js` : f.name;
    await writeAtomically(join(outDir, target), bytes);
    manifest.files[target] = bytes.length;
    if (isEntry) manifest.islands[base] = ASSET_PREFIX + target;
  }
  const missing = names.filter((n) => !manifest.islands[n]);
  if (missing.length) throw new Error(`bundle produced no file for: ${missing.join(", ")}`);
  await writeAtomically(
    join(outDir, "manifest.json"),
    new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
  );
  // Bundles of earlier builds are never served again: hashed names would pile up forever.
  for await (const f of Deno.readDir(outDir)) {
    if (f.isFile && f.name.endsWith(".js") && !(f.name in manifest.files)) {
      await Deno.remove(join(outDir, f.name)).catch(() => {});
    }
  }
  await Deno.remove(work, { recursive: true });
  return manifest;
}

if (import.meta.main) {
  const manifest = await buildIslands();
  for (const [file, size] of Object.entries(manifest.files)) console.log(`${file}\t${size} B`);
}
