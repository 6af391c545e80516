/**
 * The browser-safe split: the rule editor bundles the schema, the fact catalogue and the
 * points arithmetic without json-rules-engine (and the arithmetic alone without zod). The
 * entry that imports rules/evaluate.ts proves the markers would be found if they leaked.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const rules = (file: string) => JSON.stringify(join(ROOT, "rules", file));

const ENTRIES = {
  editor: `import { parseRuleSet } from ${rules("schema.ts")};\n` +
    `import { FACTS } from ${rules("facts.ts")};\n` +
    `import { hundredthsToNumber } from ${rules("points.ts")};\n` +
    `console.log(parseRuleSet, FACTS, hundredthsToNumber);\n`,
  arithmetic: `import { basicPoints } from ${rules("points.ts")};\nconsole.log(basicPoints);\n`,
  engine: `import { evaluate } from ${rules("evaluate.ts")};\nconsole.log(evaluate);\n`,
};

/** Strings only json-rules-engine's code carries: its package path and an error message. */
const ENGINE_MARKERS = ["json-rules-engine", "almanac required"];
const ZOD_MARKER = "ZodError";

async function bundle(): Promise<Record<keyof typeof ENTRIES, string>> {
  const dir = await Deno.makeTempDir({ prefix: "rules-bundle-" });
  try {
    const names = Object.keys(ENTRIES) as (keyof typeof ENTRIES)[];
    for (const name of names) await Deno.writeTextFile(join(dir, `${name}.ts`), ENTRIES[name]);
    const out = join(dir, "out");
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=browser",
        "--format=esm",
        `--config=${join(ROOT, "deno.json")}`,
        `--outdir=${out}`,
        ...names.map((n) => join(dir, `${n}.ts`)),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(result.success, new TextDecoder().decode(result.stderr));
    const code = {} as Record<keyof typeof ENTRIES, string>;
    for (const n of names) code[n] = await Deno.readTextFile(join(out, `${n}.js`));
    return code;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("schema, facts and points bundle without json-rules-engine; evaluate.ts with it", async () => {
  const code = await bundle();
  for (const marker of ENGINE_MARKERS) {
    assert.ok(code.engine.includes(marker), `the engine bundle carries ${marker}`);
    assert.ok(!code.editor.includes(marker), `the editor bundle must not carry ${marker}`);
    assert.ok(!code.arithmetic.includes(marker));
  }
  assert.ok(code.editor.includes(ZOD_MARKER), "the schema needs zod");
  assert.ok(!code.arithmetic.includes(ZOD_MARKER), "the arithmetic alone bundles no zod");
  assert.ok(code.arithmetic.length < 10_000, `arithmetic bundle is ${code.arithmetic.length} B`);
});
