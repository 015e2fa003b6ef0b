// Publish only what changed: a file target whose query and the versions of every table it reads (through
// views and macros) are those of its last delivery, and whose file still holds that delivery (its SHA-256),
// is up to date and not written again. What was delivered is kept in logs/compiled/publish-state.json, after
// the delivery; a target ducksteps cannot tell about (PostgreSQL, {{ pending_batches }}, the clock) is always
// delivered.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ANYTHING, MACROS } from '../changes.js';
import type { Home, ProjectLineage } from '../model.js';
import type { PublishTargetJob } from '../protocol.js';
import { readsPending } from '../publish/kind.js';
import { lineageOf, projectViews, reachedThrough } from '../render/lineage.js';
import { CLOCK } from './inputs.js';

/** A delivered file: the key of what it was made from, its content's hash. */
export interface Delivered {
  readonly key: string;
  readonly hash: string;
}

const statePath = (root: string) => join(root, 'logs', 'compiled', 'publish-state.json');

/** What each file target last delivered (destination -> Delivered). */
export function deliveries(root: string): Record<string, Delivered> {
  try {
    return existsSync(statePath(root))
      ? (JSON.parse(readFileSync(statePath(root), 'utf8')) as Record<string, Delivered>)
      : {};
  } catch {
    return {}; // unreadable: every target is delivered
  }
}

/** Keeps what these targets delivered (undefined: forget it, the file is not known to hold a delivery). */
export function keepDeliveries(root: string, changed: Readonly<Record<string, Delivered | undefined>>): void {
  const all: Record<string, Delivered | undefined> = { ...deliveries(root), ...changed };
  const path = statePath(root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(all));
  renameSync(`${path}.tmp`, path);
}

/** The SHA-256 of a file ('' when it is absent). */
export async function fileHash(path: string): Promise<string> {
  if (!existsSync(path)) return '';
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The tables a file target's query reads, through views and macros; undefined when its rows can change
 * with nothing ducksteps versions changing (another kind, the offered batches, the clock, files, calls). */
export function targetReads(target: PublishTargetJob, lineage: ProjectLineage, home: Home): string[] | undefined {
  if (target.kind !== 'file' || readsPending(target.sql) || CLOCK.test(target.sql)) return undefined;
  const own = lineageOf([target.sql], undefined, home);
  const views = projectViews(lineage.values());
  if (own.filesRead.length > 0 || own.calls.some((c) => !views.has(c))) return undefined;
  return [...reachedThrough(own.reads, own.calls, views), ANYTHING, MACROS].sort();
}

/** The key of a delivery: the target, its query, the versions of what it reads. */
export const deliveryKey = (target: PublishTargetJob, versions: Readonly<Record<string, string>>): string =>
  createHash('sha256')
    .update(JSON.stringify([target.kind, target.destination, target.mode ?? null, target.sql, versions]))
    .digest('hex');

/** The file a target writes, from the project folder. */
export const targetFile = (root: string, target: PublishTargetJob) => resolve(root, target.destination);
