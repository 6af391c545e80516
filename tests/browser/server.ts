/** Starts `main.ts` as a user would, in a subprocess, for browser tests. */

const ROOT = new URL("../../", import.meta.url).pathname;

/** A port nothing listens on right now (the OS picks it; a tiny race is accepted). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

export interface RunningServer {
  url: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it; waits for the exit. */
  kill(): Promise<void>;
  /** The exit status once the process has ended, else undefined. */
  exited(): Deno.CommandStatus | undefined;
}

/** The signing keys' secret a test server gets unless `env` names one (required on Postgres). */
export const TEST_TOKEN_KEY_SECRET = "test token key secret";

/**
 * `deno run <permissions> main.ts <args>` with `env` added (and TOKEN_KEY_SECRET); resolves
 * once GET /healthz answers 200. The islands must be built already (`buildIslands()`).
 */
export async function startServer(
  env: Record<string, string> & { PORT: string },
  timeoutMs = 60_000,
  permissions = ["-A"],
  args: string[] = [],
): Promise<RunningServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "main.ts", ...args],
    cwd: ROOT,
    env: { TOKEN_KEY_SECRET: TEST_TOKEN_KEY_SECRET, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) log += decoder.decode(chunk, { stream: true });
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let exited: Deno.CommandStatus | undefined;
  const status = child.status.then((s) => exited = s);

  const url = `http://127.0.0.1:${env.PORT}`;
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 5_000);
      await status;
      clearTimeout(timer);
    }
    await drained;
  };

  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (exited) {
      await drained;
      throw new Error(`server exited with ${exited.code} before it was healthy:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not healthy after ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await status;
    await drained;
  };
  return { url, output: () => log, stop, kill, exited: () => exited };
}
