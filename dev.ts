/**
 * `deno task dev`: builds the island bundles, then runs the server; `--watch` restarts both
 * when a file changes, so the browser never gets stale islands. `main.ts` itself never builds.
 */
import { buildIslands } from "./web/build.ts";

await buildIslands();
await import("./main.ts");
