// What the machine was doing while a case ran, read from /proc (Linux): the api's memory, and
// how the CPU time split between the api, this harness (the load generator) and everyone else.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import os from "node:os";

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Peak resident set of the process since it started (VmHWM), in MB. */
export const peakRssMb = (pid: number) => statusKb(pid, "VmHWM") / 1024;
export const rssMb = (pid: number) => statusKb(pid, "VmRSS") / 1024;

/** The processes whose parent is `parent` (an api cluster primary's workers). */
export function childPids(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (statFields(Number(entry))?.[1] === String(parent)) children.push(Number(entry));
  }
  return children;
}

/** Fields of /proc/PID/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null; // the process has just exited
  }
}

/** utime + stime of a process, in seconds (0 once it has exited). */
function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : 0;
}

/** The postmaster of a cluster made by scripts/pg-tls.sh (first line of DIR/data/postmaster.pid). */
export function postmasterPid(clusterDir: string): number {
  const pid = Number(readFileSync(path.join(clusterDir, "data", "postmaster.pid"), "utf8").split("\n", 1)[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${clusterDir}`);
  return pid;
}

/**
 * CPU seconds of a process and its children: a PostgreSQL postmaster and its backends, an api
 * cluster primary and its workers.
 */
function treeCpuSeconds(parent: number): number {
  let total = processCpuSeconds(parent);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields?.[1] === String(parent)) total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  }
  return total;
}

/** Busy CPU seconds of the whole machine (all cores), from the first line of /proc/stat. */
function machineBusySeconds(): number {
  const [, ...ticks] = (readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "").trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
  return busy / TICKS_PER_SECOND;
}

export interface CpuShare {
  /** Percent of ONE core over the window (so up to 100 x cores in total). */
  api: number;
  /** The throw-away PostgreSQL. */
  db: number;
  harness: number;
  others: number;
  idle: number;
}

/** CPU seconds spent during one window, by whom. */
export interface CpuSeconds {
  wall: number;
  api: number;
  db: number;
  harness: number;
  /** All cores of the machine, busy. */
  busy: number;
}

export const NO_CPU: CpuSeconds = { wall: 0, api: 0, db: 0, harness: 0, busy: 0 };

export const addCpu = (a: CpuSeconds, b: CpuSeconds): CpuSeconds => ({
  wall: a.wall + b.wall,
  api: a.api + b.api,
  db: a.db + b.db,
  harness: a.harness + b.harness,
  busy: a.busy + b.busy,
});

/** Starts a CPU accounting window; call the result to close it. */
export function cpuWindow(apiPid: number, postmaster: number): () => CpuSeconds {
  const wall0 = process.hrtime.bigint();
  const api0 = treeCpuSeconds(apiPid);
  const db0 = treeCpuSeconds(postmaster);
  const harness0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  return () => {
    const used = process.cpuUsage(harness0);
    return {
      wall: Number(process.hrtime.bigint() - wall0) / 1e9,
      api: treeCpuSeconds(apiPid) - api0,
      db: treeCpuSeconds(postmaster) - db0,
      harness: (used.user + used.system) / 1e6,
      busy: machineBusySeconds() - busy0,
    };
  };
}

/** Percent of one core (so up to 100 x cores in all); "others" is everyone else on the machine. */
export function cpuShare(cpu: CpuSeconds): CpuShare {
  const pct = (seconds: number) => (cpu.wall > 0 ? Math.max(0, Math.round((seconds / cpu.wall) * 100)) : 0);
  return {
    api: pct(cpu.api),
    db: pct(cpu.db),
    harness: pct(cpu.harness),
    others: pct(cpu.busy - cpu.api - cpu.db - cpu.harness),
    idle: pct(cpu.wall * os.cpus().length - cpu.busy),
  };
}

/** Samples the api's resident set while load runs; returns the highest value seen. */
export function rssSampler(pid: number, everyMs = 200): () => number {
  let max = rssMb(pid);
  const timer = setInterval(() => {
    max = Math.max(max, rssMb(pid));
  }, everyMs);
  return () => {
    clearInterval(timer);
    return Math.max(max, rssMb(pid));
  };
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
