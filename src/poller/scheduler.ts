import type { Target } from "../model.js";

export interface SchedulerOptions {
  intervalMs: number;
  concurrency: number;
  /** Polls one target; must not reject (the caller records failures in the state). */
  poll: (target: Target, signal: AbortSignal) => Promise<void>;
  /**
   * Something the target's poll would only wait for, started by another poll (its
   * account's AssumeRole): the target waits outside the poll slots until it settles, so
   * the slots stay busy with calls. Undefined: nothing to wait for.
   */
  waitFor?: (target: Target) => Promise<void> | undefined;
  now?: () => number;
}

interface Entry {
  target: Target;
  /** Offset of this target's polls inside each interval, so starts are spread, not bunched. */
  phaseMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  queued: boolean;
  running: AbortController | undefined;
  /** Polls skipped because the previous one of this target had not finished. */
  skipped: number;
}

/**
 * Polls every target every interval. The first poll of a target is queued at once (so
 * /readyz turns green quickly); after that each target polls at its own phase of the
 * interval. At most `concurrency` polls run together; a target whose previous poll is
 * still queued or running skips its turn instead of piling up, so one slow target costs
 * at most its own slot and never delays the others beyond the queue.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  /** Queued entries waiting (outside the slots) for what `waitFor` returned. */
  private readonly parked = new Set<Entry>();
  /** Entries whose wait ended, in that order: they go before the queue, having had their turn. */
  private readonly unparked: Entry[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly epochMs: number;
  private stopped = false;

  private readonly options: SchedulerOptions;

  constructor(options: SchedulerOptions) {
    this.options = { ...options };
    this.now = options.now ?? Date.now;
    this.epochMs = this.now();
  }

  /** Applies a new interval or concurrency (a reload); running polls finish as they are. */
  configure(settings: { intervalMs: number; concurrency: number }): void {
    const intervalChanged = settings.intervalMs !== this.options.intervalMs;
    this.options.intervalMs = settings.intervalMs;
    this.options.concurrency = settings.concurrency;
    if (intervalChanged && !this.stopped) {
      const entries = [...this.entries.values()];
      entries.forEach((entry, index) => {
        entry.phaseMs = Math.floor((settings.intervalMs * index) / entries.length);
        clearTimeout(entry.timer);
        this.scheduleNext(entry);
      });
    }
    this.drain();
  }

  /** Adds new targets (first poll queued now), drops missing ones (aborting their poll). */
  setTargets(targets: Target[]): void {
    if (this.stopped) return;
    const wanted = new Map(targets.map((target) => [target.key, target]));
    for (const [key, entry] of this.entries) {
      if (wanted.has(key)) continue;
      clearTimeout(entry.timer);
      entry.running?.abort(new Error("target removed"));
      for (const list of [this.queue, this.unparked]) {
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
      }
      this.parked.delete(entry);
      this.entries.delete(key);
    }
    const keys = [...wanted.keys()];
    keys.forEach((key, index) => {
      const existing = this.entries.get(key);
      const phaseMs = Math.floor((this.options.intervalMs * index) / keys.length);
      if (existing) {
        existing.phaseMs = phaseMs;
        existing.target = wanted.get(key) as Target;
        return;
      }
      const entry: Entry = {
        target: wanted.get(key) as Target,
        phaseMs,
        timer: undefined,
        queued: false,
        running: undefined,
        skipped: 0,
      };
      this.entries.set(key, entry);
      this.enqueue(entry);
      this.scheduleNext(entry, this.options.intervalMs / 2);
    });
    this.drain();
  }

  /** Time until the first start of this entry's phase that is more than `afterMs` away. */
  private delayToNextPhase(entry: Entry, afterMs: number): number {
    const interval = this.options.intervalMs;
    const sinceEpoch = this.now() + afterMs - this.epochMs - entry.phaseMs;
    const next = (Math.floor(sinceEpoch / interval) + 1) * interval;
    return next - sinceEpoch + afterMs;
  }

  /**
   * After the immediate first poll, the next one waits for the target's phase but at least
   * half an interval, so no target is polled twice in quick succession at start.
   */
  private scheduleNext(entry: Entry, afterMs = 0): void {
    entry.timer = setTimeout(
      () => {
        if (this.stopped || this.entries.get(entry.target.key) !== entry) return;
        this.enqueue(entry);
        this.drain();
        this.scheduleNext(entry);
      },
      this.delayToNextPhase(entry, afterMs),
    );
  }

  private enqueue(entry: Entry): void {
    if (entry.queued || entry.running) {
      entry.skipped++;
      return;
    }
    entry.queued = true;
    this.queue.push(entry);
  }

  private drain(): void {
    while (!this.stopped && this.inFlight.size < this.options.concurrency) {
      const entry = this.unparked.shift() ?? this.queue.shift();
      if (!entry) return;
      const blocker = this.options.waitFor?.(entry.target);
      if (blocker) {
        this.park(entry, blocker);
        continue;
      }
      entry.queued = false;
      const controller = new AbortController();
      entry.running = controller;
      const run = this.options
        .poll(entry.target, controller.signal)
        .catch(() => {})
        .finally(() => {
          entry.running = undefined;
          this.inFlight.delete(run);
          this.drain();
        });
      this.inFlight.add(run);
    }
  }

  private park(entry: Entry, blocker: Promise<void>): void {
    this.parked.add(entry);
    void blocker.then(() => {
      if (!this.parked.delete(entry) || this.stopped) return;
      this.unparked.push(entry);
      this.drain();
    });
  }

  skippedPolls(key: string): number {
    return this.entries.get(key)?.skipped ?? 0;
  }

  /** Stops scheduling, aborts running polls and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.parked.clear();
    this.unparked.length = 0;
    for (const entry of this.entries.values()) {
      clearTimeout(entry.timer);
      entry.running?.abort(new Error("exporter stopping"));
    }
    await Promise.allSettled([...this.inFlight]);
  }
}
