// How many CPUs this process may really use: the affinity mask (os.availableParallelism) capped
// by a cgroup v2 CPU quota. Node 20's libuv ignores the quota, so a container limited to 2 CPUs
// on a 64-core host would otherwise start 64 workers.
import { readFileSync } from "node:fs";
import os from "node:os";

/** The cgroup v2 quota as a CPU count, rounded up; null when there is none (or no cgroup v2). */
export function cgroupCpuLimit(cpuMax: string): number | null {
  const [quota, period] = cpuMax.trim().split(/\s+/);
  if (quota === undefined || quota === "max" || period === undefined) return null;
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? Math.max(1, Math.ceil(cpus)) : null;
}

export function availableCpus(cpuMaxFile = "/sys/fs/cgroup/cpu.max"): number {
  const affinity = os.availableParallelism();
  let limit: number | null = null;
  try {
    limit = cgroupCpuLimit(readFileSync(cpuMaxFile, "utf8"));
  } catch {
    // No cgroup v2 file (macOS, cgroup v1): the affinity mask is all there is.
  }
  return limit === null ? affinity : Math.min(affinity, limit);
}
