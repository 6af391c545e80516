/**
 * Child processes and cleanup for the load benchmark: every process it starts and every
 * temporary folder or database it makes is registered here, and `cleanUp()` undoes them in
 * reverse order — at the end of a run, on an error, and on Ctrl-C / SIGTERM.
 */

type Cleanup = { name: string; run: () => Promise<void> | void };

const cleanups: Cleanup[] = [];
let cleaning: Promise<void> | undefined;

/** Registers an undo step; returns a function that runs it now (once) and unregisters it. */
export function onCleanUp(name: string, run: Cleanup["run"]): () => Promise<void> {
  const entry: Cleanup = { name, run };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i < 0) return;
    cleanups.splice(i, 1);
    await entry.run();
  };
}

/** True once cleaning up has begun (e.g. after Ctrl-C): later failures are its doing. */
export const isCleaningUp = () => cleaning !== undefined;

/** Runs every registered step, newest first; a failing step is reported, not fatal. */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const step = cleanups.pop()!;
      try {
        await step.run();
      } catch (err) {
        console.error(`cleanup "${step.name}" failed: ${err instanceof Error ? err.message : err}`);
      }
    }
  })();
  return cleaning;
}

/** Cleans up then exits on SIGINT/SIGTERM; returns a function that removes the listeners. */
export function cleanUpOnSignals(): () => void {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const handler = () => {
    console.error("\ninterrupted: stopping processes, removing temporary data…");
    cleanUp().finally(() => Deno.exit(130));
  };
  for (const s of signals) Deno.addSignalListener(s, handler);
  return () => {
    for (const s of signals) Deno.removeSignalListener(s, handler);
  };
}

const decoder = new TextDecoder();

/** A started process whose output is kept (the last 64 KiB) and scanned line by line. */
export class Spawned {
  readonly child: Deno.ChildProcess;
  readonly status: Promise<Deno.CommandStatus>;
  #output = "";
  #lineWaiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  #drained: Promise<void>;
  #stop: () => Promise<void>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    opts: { env?: Record<string, string>; clearEnv?: boolean; cwd?: string } = {},
  ) {
    this.child = new Deno.Command(command, {
      args,
      env: opts.env,
      clearEnv: opts.clearEnv,
      cwd: opts.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.status = this.child.status;
    this.#drained = Promise.all([
      this.#drain(this.child.stdout),
      this.#drain(this.child.stderr),
    ]).then(() => {});
    this.#stop = onCleanUp(`stop ${name}`, () => this.#terminate());
  }

  async #drain(stream: ReadableStream<Uint8Array>) {
    let partial = "";
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      this.#output = (this.#output + text).slice(-65_536);
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        for (const w of [...this.#lineWaiters]) {
          if (w.test(line)) {
            this.#lineWaiters.splice(this.#lineWaiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    }
  }

  /** Everything the process printed (stdout and stderr interleaved), up to the last 64 KiB. */
  get output(): string {
    return this.#output;
  }

  /** The whole output once the process has exited. */
  async finished(): Promise<{ status: Deno.CommandStatus; output: string }> {
    const status = await this.status;
    await this.#drained;
    await this.#stop(); // nothing left to stop; unregisters the cleanup step
    return { status, output: this.#output };
  }

  /**
   * Resolves with the first output line matching `test`; rejects when the process exits first
   * or after `timeoutMs`.
   */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name}: not ready after ${timeoutMs / 1000} s\n${this.tail()}`));
      }, timeoutMs);
      this.#lineWaiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      // After the output is all read, so that the error shows the process's last words.
      Promise.all([this.status, this.#drained]).then(([s]) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.name} exited (code ${s.code}) before it was ready\n${this.tail()}`),
        );
      });
    });
  }

  /** The last lines of output, for error messages. */
  tail(lines = 30): string {
    return this.#output.trimEnd().split("\n").slice(-lines).map((l) => `  | ${l}`).join("\n");
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void> {
    return this.#stop();
  }

  async #terminate(graceMs = 5_000) {
    const exited = this.status.then(() => true);
    try {
      this.child.kill("SIGTERM");
    } catch { /* already gone */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((r) => timer = setTimeout(() => r(false), graceMs));
    const done = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (!done) {
      try {
        this.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await this.status;
    }
    await this.#drained;
  }
}

/** Runs a command to its end and returns its output; throws with the output on failure. */
export async function run(
  name: string,
  command: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<string> {
  const p = new Spawned(name, command, args, opts);
  const { status, output } = await p.finished();
  if (!status.success) throw new Error(`${name} failed (code ${status.code}):\n${p.tail(40)}`);
  return output;
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Polls `url` until it answers `expect` (default 200), or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, expect = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === expect) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer ${expect} within ${timeoutMs / 1000} s (${last})`);
}

/** A process as /proc tells it (Linux): its command name, parent, and processor time. */
export interface ProcessStat {
  pid: number;
  comm: string;
  ppid: number;
  /** User and system time, in clock ticks (USER_HZ, 100 a second). */
  ticks: number;
}

/** Every process of this machine (Linux /proc); empty where /proc cannot be read. */
export async function processes(): Promise<ProcessStat[]> {
  const out: ProcessStat[] = [];
  try {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
        // The command is in parentheses (it may hold spaces); after it: state, parent, …,
        // utime and stime, the 12th and 13th fields after the command.
        const end = stat.lastIndexOf(")");
        const rest = stat.slice(end + 2).split(" ");
        out.push({
          pid: Number(entry.name),
          comm: stat.slice(stat.indexOf("(") + 1, end),
          ppid: Number(rest[1]),
          ticks: Number(rest[11]) + Number(rest[12]),
        });
      } catch { /* exited meanwhile */ }
    }
  } catch { /* no /proc */ }
  return out;
}

/** `pid` and its descendants among `all`. */
export function tree(all: ProcessStat[], pid: number): ProcessStat[] {
  const children = new Map<number, ProcessStat[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = all.filter((p) => p.pid === pid);
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i].pid) ?? []));
  return out;
}

/**
 * The resident memory of a process and its descendants, in bytes (Linux /proc: the server's
 * `--parallel` workers run in a child process); null where /proc cannot be read.
 */
export async function treeRssBytes(pid: number): Promise<number | null> {
  let total = 0;
  for (const p of tree(await processes(), pid)) {
    const status = await Deno.readTextFile(`/proc/${p.pid}/status`).catch(() => "");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (kb) total += Number(kb[1]) * 1024;
  }
  return total || null;
}
