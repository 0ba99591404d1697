// Whether a service has gone quiet: no user request for IDLE_AFTER_SECONDS. A quiet service sends
// nothing to PostgreSQL of its own accord (no health probe, no listener ping), so a database that
// bills by activity (Neon's scale to zero) may suspend; the first user request ends the quiet.

export type IdlenessListener = (idle: boolean) => void;

export interface IdlenessState {
  idle: boolean;
  /** When the current state began, ISO 8601. */
  since: string;
}

export class Idleness {
  private lastRequest: number;
  private idle = false;
  private since: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: IdlenessListener[] = [];

  /** `afterMs` 0: never idle. */
  constructor(
    private readonly afterMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastRequest = now();
    this.since = this.lastRequest;
    this.arm();
  }

  /** A user request arrived: the service is awake from now on, for at least `afterMs`. */
  touch(): void {
    this.lastRequest = this.now();
    if (this.idle) this.change(false);
    this.arm();
  }

  isIdle(): boolean {
    return this.idle;
  }

  state(): IdlenessState {
    return { idle: this.idle, since: new Date(this.since).toISOString() };
  }

  /** Told on every change, idle (true) or awake again (false). */
  onChange(listener: IdlenessListener): void {
    this.listeners.push(listener);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private change(idle: boolean): void {
    this.idle = idle;
    this.since = this.now();
    for (const listener of this.listeners) listener(idle);
  }

  // One timer at a time, set for when the quiet period would end; a request in between only moves
  // lastRequest, and the timer sets itself again for the rest when it fires early.
  private arm(): void {
    if (this.afterMs <= 0 || this.timer || this.idle) return;
    const wait = Math.max(0, this.lastRequest + this.afterMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.now() - this.lastRequest >= this.afterMs) this.change(true);
      else this.arm();
    }, wait);
    this.timer.unref();
  }
}
