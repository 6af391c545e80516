import assert from "node:assert/strict";
import { type Signal, signal } from "@preact/signals";
import { renderToString } from "preact-render-to-string";
import { join } from "node:path";
import ChartHover from "../../islands/ChartHover.tsx";
import { islandRegistry } from "../../islands/registry.ts";
import { serveAsset } from "../../web/assets.ts";
import { buildIslands } from "../../web/build.ts";
import { collectIslands, Island } from "../../web/island.tsx";
import { decodeProps, encodeProps } from "../../web/props_codec.ts";

Deno.test("props codec: plain values round-trip and one signal stays one signal", () => {
  const shared = signal<"up" | "down">("up");
  const ids = new Map();
  const a = encodeProps({ n: 1, s: "x", list: [1, { deep: true }], rounding: shared }, ids);
  const b = encodeProps({ rounding: shared, other: signal(5) }, ids);
  const wire = JSON.parse(JSON.stringify([a, b]));
  const signals = new Map();
  const [da, db] = wire.map((w: never) => decodeProps(w, signals)) as Record<string, unknown>[];
  assert.equal(da.n, 1);
  assert.deepEqual(da.list, [1, { deep: true }]);
  const ra = da.rounding as Signal<string>;
  assert.equal(ra.value, "up");
  assert.equal(ra, db.rounding, "both islands get the same signal instance");
  assert.equal((db.other as Signal<number>).value, 5);
  ra.value = "down";
  assert.equal((db.rounding as Signal<string>).value, "down");
});

Deno.test("the island marker renders SSR HTML with its props and records the island", () => {
  const props = {
    title: "Points per day",
    svg: '<svg width="100" height="50"><rect width="10" height="20"/></svg>',
    width: 100,
    left: 10,
    right: 10,
    points: [{ label: "Tue 3 Nov 2026", lines: ["Issued: 12.34"] }],
  };
  const { result, islands } = collectIslands(() =>
    renderToString(<Island of={ChartHover} props={props} />)
  );
  assert.deepEqual(islands, ["ChartHover"]);
  assert.match(result, /^<div data-island="ChartHover" data-props="/);
  assert.match(
    result,
    /role="img" aria-label="Points per day"><svg width="100"/,
    "the SVG, server-side",
  );
  const wire = JSON.parse(
    /data-props="([^"]*)"/.exec(result)![1].replaceAll("&quot;", '"').replaceAll("&amp;", "&")
      .replaceAll("&lt;", "<").replaceAll("&gt;", ">"),
  );
  assert.deepEqual(wire, props);
});

Deno.test("a component not listed in the registry cannot be an island", () => {
  const Stray = () => <p>stray</p>;
  assert.throws(
    () => collectIslands(() => renderToString(<Island of={Stray} props={{}} />)),
    /not listed in islands\/registry\.ts/,
  );
});

Deno.test("build: hashed island entries share one Preact chunk and are served immutable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = await buildIslands(dir);
    assert.deepEqual(Object.keys(manifest.islands).sort(), Object.keys(islandRegistry).sort());
    const chunks = Object.keys(manifest.files).filter((f) => f.startsWith("chunk-"));
    const read = (f: string) => Deno.readTextFile(join(dir, f));
    // Preact's mangled hooks property (`__H`) marks the chunk that holds Preact.
    const withPreact = [];
    for (const c of chunks) if ((await read(c)).includes("__H")) withPreact.push(c);
    assert.equal(withPreact.length, 1, `one Preact chunk among ${chunks}`);
    for (const url of Object.values(manifest.islands)) {
      const file = url.replace("/assets/", "");
      assert.match(file, /^[A-Za-z]+-[0-9a-f]{10}\.js$/);
      const code = await read(file);
      assert.ok(code.includes(`./${withPreact[0]}`), `${file} imports the Preact chunk`);
      assert.ok(!code.includes("__H"), `Preact is not copied into ${file}`);
      const res = (await serveAsset(file, dir))!;
      assert.match(res.headers.get("Cache-Control")!, /immutable/);
      await res.body?.cancel();
    }
    assert.equal(await serveAsset("../deno.json", dir), null);

    // The rule editor validates with the rules' schema in the browser, never with the engine
    // or a server module: nothing it loads carries their code.
    const loaded = new Set<string>();
    const load = async (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = await read(file);
      for (const m of code.matchAll(/from\s*"\.\/([^"]+\.js)"/g)) await load(m[1]);
    };
    await load(manifest.islands.RuleEditor.replace("/assets/", ""));
    const editor = (await Promise.all([...loaded].map(read))).join("\n");
    for (const marker of ["json-rules-engine", "almanac required", "kysely", "hono"]) {
      assert.ok(!editor.toLowerCase().includes(marker), `the rule editor must not carry ${marker}`);
    }
    assert.ok(editor.includes("ZodError"), "the editor validates with the rules' zod schema");
    // Only the zod it uses: the whole of zod with its locales was three times this.
    assert.ok(editor.length < 250_000, `the rule editor loads ${editor.length} B of code`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
