/**
 * The till first: a replay worker's thread runs at the lowest CPU priority (nice 19), so that
 * when the cores are busy the scheduler gives them to the server's thread and the database
 * first, and the replay takes what is left. Linux keeps a nice value per thread, so this
 * lowers only the calling worker, not the server. It needs libc through Deno's FFI
 * (`--allow-ffi`); where that is not allowed or not Linux (Deno Deploy, macOS), the worker
 * keeps the normal priority and says so.
 */

/** `gettid`'s system call number per architecture (no libc wrapper before glibc 2.30). */
const GETTID: Partial<Record<typeof Deno.build.arch, bigint>> = { x86_64: 186n, aarch64: 178n };
const PRIO_PROCESS = 0;
export const LOWEST = 19;

/** Lowers this thread to nice 19; answers the nice it runs at, or null when it could not. */
export function runAtLowestPriority(): number | null {
  const gettid = GETTID[Deno.build.arch];
  if (Deno.build.os !== "linux" || gettid === undefined) return null;
  let lib;
  try {
    lib = Deno.dlopen("libc.so.6", {
      syscall: { parameters: ["i64"], result: "i64" },
      setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" },
      getpriority: { parameters: ["i32", "u32"], result: "i32" },
    });
  } catch {
    return null;
  }
  try {
    const tid = Number(lib.symbols.syscall(gettid));
    if (lib.symbols.setpriority(PRIO_PROCESS, tid, LOWEST) !== 0) return null;
    return lib.symbols.getpriority(PRIO_PROCESS, tid);
  } finally {
    lib.close();
  }
}
