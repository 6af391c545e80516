/**
 * Where a load's processor time goes (Linux /proc, read before and after a measurement): the
 * server's processes, the Postgres server's processes on this machine (none on PGlite, whose
 * database runs in the server; none when Postgres is elsewhere; a backend that ended meanwhile
 * is left out), and the whole machine (wrk and the rest besides): only what else runs on the
 * machine meanwhile blurs it. Per request, and as the request rate the machine's cores would allow
 * if they did that work and nothing else: what a target asks, against what the machine can.
 */
import { processes, type ProcessStat, tree } from "./processes.ts";

/** /proc's clock ticks a second (USER_HZ: 100 on Linux whatever the kernel's HZ). */
const TICKS = 100;

export interface CpuSample {
  at: number;
  /** Clock ticks so far of each process, by pid. */
  server: Map<number, number>;
  postgres: Map<number, number>;
  /** Seconds of processor time so far. */
  machine: number;
}

export interface CpuPerRequest {
  /** Milliseconds of processor time a request. */
  serverMs: number;
  postgresMs: number;
  machineMs: number;
  /** Cores the server's processes and the machine kept busy meanwhile, on average. */
  serverCores: number;
  coresBusy: number;
  /** Requests a second the machine's cores would allow at `machineMs` each. */
  allows: number;
}

/** Processor time of all the machine's cores but their idle and I/O wait, in seconds. */
async function machineSeconds(): Promise<number | null> {
  try {
    const [, ...fields] = (await Deno.readTextFile("/proc/stat")).split("\n")[0].trim()
      .split(/\s+/);
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return (user + nice + system + irq + softirq + steal) / TICKS;
  } catch {
    return null;
  }
}

/** Now, for the server whose first process is `serverPid`; null without /proc. */
export async function cpuSample(serverPid: number): Promise<CpuSample | null> {
  const machine = await machineSeconds();
  if (machine === null) return null;
  const all = await processes();
  const ticks = (list: ProcessStat[]) => new Map(list.map((p) => [p.pid, p.ticks]));
  return {
    at: performance.now(),
    server: ticks(tree(all, serverPid)),
    postgres: ticks(all.filter((p) => p.comm === "postgres")),
    machine,
  };
}

/**
 * Seconds of processor time from `a` to `b` of the processes alive at `b` (those started
 * meanwhile, all of theirs). One that ended meanwhile is left out: its time is gone from /proc.
 */
function spent(a: Map<number, number>, b: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of b) ticks += t - (a.get(pid) ?? 0);
  return ticks / TICKS;
}

/** The processor time between `a` and `b`, shared by `requests`. */
export function perRequest(a: CpuSample, b: CpuSample, requests: number): CpuPerRequest | null {
  const seconds = (b.at - a.at) / 1000;
  if (requests <= 0 || seconds <= 0) return null;
  const ms = (x: number) => x / requests * 1000;
  const machineMs = ms(b.machine - a.machine);
  const server = spent(a.server, b.server);
  return {
    serverMs: ms(server),
    postgresMs: ms(spent(a.postgres, b.postgres)),
    machineMs,
    serverCores: server / seconds,
    coresBusy: (b.machine - a.machine) / seconds,
    allows: machineMs > 0 ? navigator.hardwareConcurrency * 1000 / machineMs : 0,
  };
}
