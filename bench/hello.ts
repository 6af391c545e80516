/**
 * The baseline of the load benchmark: the smallest Deno server, measured in the same run and
 * with the same wrk settings as the real one. `PORT` picks the port (default 8001).
 */
const port = Number(Deno.env.get("PORT") ?? 8001);
const reusePort = Deno.env.get("REUSE_PORT") === "true";

Deno.serve({
  port,
  reusePort,
  onListen: ({ port }) => console.log(JSON.stringify({ msg: "listening", port })),
}, () => new Response("Hello, world!"));
