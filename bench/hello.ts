/**
 * The baseline of the load benchmark: the smallest Deno server, run by `deno serve` (with
 * `--parallel` when the app runs several workers), measured in the same run and with the same
 * wrk settings as the real one.
 */
export default {
  fetch: () => new Response("Hello, world!"),
} satisfies Deno.ServeDefaultExport;
