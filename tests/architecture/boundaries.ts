/**
 * The import rules of docs/architecture.md, read from the page itself, and a check of the
 * source tree against them: folder boundaries and cycles between files.
 */

/** One folder's rule, from its `Imports:` line. */
export interface FolderRule {
  /** Folders (or root files such as `config.ts`) its files may import. */
  allowed: Set<string>;
  /** "anything" / "anything except …". */
  anything: boolean;
  except: Set<string>;
  /** Folders it may import only from its `*_json.ts` modules. */
  jsonOnly: Set<string>;
  /** Type-only imports are free (islands: erased from the browser bundle). */
  typesFromAnything: boolean;
}

export interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

const ROOT = "(root)";

/** The folder a repo-relative path belongs to; root files are their own name. */
export const folderOf = (path: string) => path.includes("/") ? path.split("/")[0] : path;

/** Parses the `### \`name/\`` headings and the `Imports:` line under each. */
export function parseRules(markdown: string): Map<string, FolderRule> {
  const rules = new Map<string, FolderRule>();
  let current: string[] = [];
  let text = "";
  const flush = () => {
    if (!current.length) return;
    const line = /Imports:([\s\S]*?)(?:\n\n|$)/.exec(text)?.[1].replace(/\s+/g, " ").trim();
    if (line === undefined) throw new Error(`no Imports: line under ${current.join(", ")}`);
    const rule: FolderRule = {
      allowed: new Set(),
      anything: /^anything/.test(line),
      except: new Set(),
      jsonOnly: new Set(),
      typesFromAnything: /types from anything/.test(line),
    };
    const names = (s: string) => [...s.matchAll(/`([^`]+?)\/?`/g)].map((m) => m[1]);
    if (rule.anything) {
      for (const n of names(/except(.*)$/.exec(line)?.[1] ?? "")) rule.except.add(n);
    } else if (line !== "nothing.") {
      for (const part of line.split(/,(?![^(]*\))/)) {
        const [name] = names(part);
        if (!name || name === "*_json.ts") continue;
        (/from `\*_json\.ts` only/.test(part) ? rule.jsonOnly : rule.allowed).add(name);
      }
    }
    for (const folder of current) rules.set(folder, rule);
  };
  for (const block of markdown.split(/^### /m).slice(1)) {
    const [heading, ...rest] = block.split("\n");
    flush();
    current = heading.startsWith("Root files") ? [ROOT] : [/`([^`/]+)\/?`/.exec(heading)![1]];
    text = rest.join("\n");
  }
  flush();
  return rules;
}

/** The relative imports of a source file, resolved to repo-relative paths. */
export function importsOf(path: string, source: string): Import[] {
  const out: Import[] = [];
  const re =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;
  for (const m of source.matchAll(re)) {
    const spec = m[4] ?? m[5];
    const to = new URL(spec, `file:///${path}`).pathname.slice(1);
    const names = m[3] ?? "";
    const allTypes = /^\{[^}]*\}$/.test(names.trim()) &&
      names.replace(/[{}]/g, "").split(",").map((s) => s.trim()).filter(Boolean)
        .every((s) => s.startsWith("type "));
    out.push({ from: path, to, typeOnly: !!m[2] || allTypes });
  }
  return out;
}

/** Every import that breaks its folder's rule, as a readable line. */
export function boundaryViolations(imports: Import[], rules: Map<string, FolderRule>): string[] {
  const out: string[] = [];
  for (const imp of imports) {
    const from = folderOf(imp.from);
    const to = folderOf(imp.to);
    const rule = rules.get(imp.from.includes("/") ? from : ROOT);
    if (!rule) {
      out.push(`${imp.from}: its folder ${from}/ is not described in docs/architecture.md`);
      continue;
    }
    if (rule.except.has(to)) {
      out.push(`${imp.from} imports ${imp.to}: ${from}/ must not import ${to}/`);
      continue;
    }
    if (to === from || rule.anything) continue;
    if (rule.allowed.has(to)) continue;
    if (rule.jsonOnly.has(to) && imp.from.endsWith("_json.ts")) continue;
    if (rule.typesFromAnything && imp.typeOnly) continue;
    out.push(`${imp.from} imports ${imp.to}: ${from}/ may not import ${to}/`);
  }
  return out;
}

/** Cycles between files (strongly connected components of more than one file, or a self-loop). */
export function cycles(imports: Import[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const { from, to } of imports) {
    if (!graph.has(from)) graph.set(from, []);
    graph.get(from)!.push(to);
  }
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}
