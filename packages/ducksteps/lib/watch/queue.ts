// What `watch` holds between micro-batches: the pending files in arrival order, and the files that must
// first hold still (a file may still be being written: it is taken only once its size and time stayed the
// same for a while).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** Pending files in arrival order (arrival = when the file got its name: ctime after a rename). */
export class Queue {
  private readonly items = new Map<string, number>();
  add(path: string, arrivedAt: number): void {
    if (!this.items.has(path)) this.items.set(path, arrivedAt);
  }
  get size(): number {
    return this.items.size;
  }
  oldest(): number | undefined {
    let oldest: number | undefined;
    for (const t of this.items.values()) if (oldest === undefined || t < oldest) oldest = t;
    return oldest;
  }
  take(count: number): Array<[string, number]> {
    const taken = [...this.items].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, count);
    for (const [path] of taken) this.items.delete(path);
    return taken;
  }
}

interface Seen {
  readonly size: number;
  readonly mtimeMs: number;
  readonly since: number; // unchanged since
  readonly arrivedAt: number;
}

/** Files waiting to hold still for `quietMs` before they are queued. */
export class Settling {
  private readonly seen = new Map<string, Seen>();
  constructor(
    private readonly root: string,
    private readonly quietMs: number,
  ) {}

  /** Starts watching a file (seen twice, it keeps its first arrival). */
  add(path: string, arrivedAt = Date.now(), now = Date.now()): void {
    const stat = this.stat(path);
    const before = this.seen.get(path);
    if (stat)
      this.seen.set(path, { ...stat, since: now, arrivedAt: Math.min(arrivedAt, before?.arrivedAt ?? arrivedAt) });
  }

  get size(): number {
    return this.seen.size;
  }

  /** The files that held still for quietMs, with their arrival (they leave the set); a file that changed
   * starts again. */
  settled(now = Date.now()): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const [path, before] of this.seen) {
      const stat = this.stat(path);
      if (!stat)
        this.seen.delete(path); // gone (renamed away, deleted): nothing to take
      else if (stat.size !== before.size || stat.mtimeMs !== before.mtimeMs)
        this.seen.set(path, { ...before, ...stat, since: now });
      else if (now - before.since >= this.quietMs) {
        this.seen.delete(path);
        out.push([path, before.arrivedAt]);
      }
    }
    return out;
  }

  private stat(path: string): { size: number; mtimeMs: number } | undefined {
    try {
      const s = statSync(resolve(this.root, path));
      return { size: s.size, mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  }
}
