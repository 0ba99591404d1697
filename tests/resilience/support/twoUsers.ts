// Two users hammering their own task lists through the built api at once: creates, reads of the
// whole list, now and then a try at the other user's list. Shared by the load test and the drills
// that inject faults under that load. Bounded in count and time.
import { randomUUID } from "node:crypto";
import { type Answer, allTasks, call } from "./http";

export interface Task {
  id: string;
  title: string;
  createdAt: string;
}

export interface Player {
  label: string;
  userId: string;
  token: string;
  /** Tasks the api acknowledged (201): id -> title. */
  created: Map<string, string>;
  /** Every task id seen in this user's own list answers. */
  seen: Set<string>;
}

export function player(label: string, userId: string, token: string): Player {
  return { label, userId, token, created: new Map(), seen: new Set() };
}

export interface LoadOptions {
  workersPerUser: number;
  createsPerUser: number;
  /** Reads of the whole list per create. */
  readsPerCreate: number;
  /** One cross-user attempt (expected 403) every this many iterations. */
  crossEvery: number;
  /** No new iteration starts after this (epoch ms), or once it returns true. */
  deadline: number;
  stop?: () => boolean;
}

export interface LoadTally {
  requests: number;
  statuses: Record<string, number>;
  /** 5xx answers to reads (list, cross-user) and to writes (create). */
  fiveXx: { reads: number; writes: number };
  /** Every answer that was not the one expected, and every other broken property. */
  failures: string[];
}

export async function twoUserLoad(apiUrl: string, players: [Player, Player], options: LoadOptions): Promise<LoadTally> {
  const tally: LoadTally = { requests: 0, statuses: {}, fiveXx: { reads: 0, writes: 0 }, failures: [] };
  const expectStatus = async (label: string, expected: number, url: string, request: Parameters<typeof call>[1]): Promise<Answer | null> => {
    tally.requests++;
    const answer = await call(url, request).catch((error: unknown) => {
      tally.failures.push(`${label}: no answer: ${String(error)}`);
      return null;
    });
    if (!answer) return null;
    tally.statuses[answer.status] = (tally.statuses[answer.status] ?? 0) + 1;
    if (answer.status >= 500) tally.fiveXx[label === "create" ? "writes" : "reads"]++;
    if (answer.status !== expected) tally.failures.push(`${label}: ${answer.status} instead of ${expected}: ${answer.text.slice(0, 200)}`);
    return answer.status === expected ? answer : null;
  };
  const going = () => Date.now() < options.deadline && !options.stop?.();

  const work = async (me: Player, other: Player, worker: number) => {
    const ownUrl = `${apiUrl}/api/${me.userId}/tasks`;
    for (let i = worker; i < options.createsPerUser && going(); i += options.workersPerUser) {
      const title = `${me.label} ${i} ${randomUUID()}`;
      const created = await expectStatus("create", 201, ownUrl, { token: me.token, body: { title } });
      const task = (created?.json as { task?: Task } | undefined)?.task;
      if (task) {
        if (task.title !== title) tally.failures.push(`create answered another title: ${task.title}`);
        me.created.set(task.id, title);
      }
      for (let r = 0; r < options.readsPerCreate; r++) {
        const list = await expectStatus("list", 200, ownUrl, { token: me.token });
        for (const t of (list?.json as { tasks?: Task[] } | undefined)?.tasks ?? []) {
          me.seen.add(t.id);
          if (!t.title.startsWith(`${me.label} `)) tally.failures.push(`${me.label} saw a task titled ${t.title}`);
        }
      }
      if (i % options.crossEvery === 0) {
        const cross = await expectStatus("cross-user", 403, `${apiUrl}/api/${other.userId}/tasks`, { token: me.token });
        if (cross?.text.includes(other.label)) tally.failures.push(`a 403 carried ${other.label}'s data`);
      }
    }
  };

  const [a, b] = players;
  await Promise.all(Array.from({ length: options.workersPerUser }, (_, w) => [work(a, b, w), work(b, a, w)]).flat());
  return tally;
}

/** Each user's whole list as the api answers it now, every page. */
export function listOf(apiUrl: string, me: Player): Promise<Task[]> {
  return allTasks<Task>(apiUrl, me.userId, me.token);
}
