/**
 * The till first: a replay worker's thread runs under Linux's SCHED_IDLE policy, so that it gets
 * a core only when nothing else wants it: the server's thread and the database take the cores
 * first, and a till's request that wakes up preempts the replay at once (nice 19 alone still
 * leaves the replay a share and lets it finish its time slice). Linux keeps the policy per
 * thread, so this lowers only the calling worker, not the server. It needs libc through Deno's
 * FFI (`--allow-ffi`); where that is not allowed or not Linux (Deno Deploy, macOS), the worker
 * keeps the normal priority and the pricer says so.
 */

/** `gettid`'s system call number per architecture (no libc wrapper before glibc 2.30). */
const GETTID: Partial<Record<typeof Deno.build.arch, bigint>> = { x86_64: 186n, aarch64: 178n };
export const SCHED_IDLE = 5;

/** Puts this thread under SCHED_IDLE; answers whether it runs so. */
export function runWhenIdle(): boolean {
  const gettid = GETTID[Deno.build.arch];
  if (Deno.build.os !== "linux" || gettid === undefined) return false;
  let lib;
  try {
    lib = Deno.dlopen("libc.so.6", {
      syscall: { parameters: ["i64"], result: "i64" },
      sched_setscheduler: { parameters: ["i32", "i32", "buffer"], result: "i32" },
      sched_getscheduler: { parameters: ["i32"], result: "i32" },
    });
  } catch {
    return false;
  }
  try {
    const tid = Number(lib.symbols.syscall(gettid));
    // struct sched_param: one int, the static priority, 0 for SCHED_IDLE.
    if (lib.symbols.sched_setscheduler(tid, SCHED_IDLE, new Uint8Array(4)) !== 0) return false;
    return lib.symbols.sched_getscheduler(tid) === SCHED_IDLE;
  } finally {
    lib.close();
  }
}
