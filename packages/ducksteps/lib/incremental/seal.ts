// A new batch is sealed just before its first step runs: its files are hashed (a few at a time, only the
// batch's own), and a file whose content the warehouse already holds under another name is a duplicate:
// recorded in the ledger and not read ("duplicates": "skip", the default), or refused ("refuse").
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatchError } from '../errors.js';
import { eachBounded, sha256Of } from '../project/fingerprint.js';
import { storeFile } from '../project/inputs.js';
import type { Batch, LandingFile, Ledger, Settings } from '../model.js';

/** SHA-256 -> the path of the file loaded with that content. */
export type ContentIndex = Map<string, string>;

/** What the warehouse holds by content: every loaded file that carries bytes (empty files carry nothing). */
export const contentIndex = (ledger: Ledger): ContentIndex =>
  new Map(ledger.files.filter((f) => !f.duplicateOf && f.size > 0).map((f) => [f.sha256, f.path]));

/** A file's hash with the size and time it had while hashed; a file that grew meanwhile is not complete. */
async function hashed(root: string, file: LandingFile, at: string, signal?: AbortSignal): Promise<LandingFile> {
  const stat = () => {
    try {
      return statSync(resolve(root, at));
    } catch {
      return undefined;
    }
  };
  const before = stat();
  const sha256 = await sha256Of(root, at, signal);
  const after = stat();
  if (!before || !after || before.size !== after.size || before.mtimeMs !== after.mtimeMs) {
    throw new BatchError(`${storeFile(file.path, at)} changed while it was read (it is still being written)`, {
      hint: 'deliver files under a temporary name (x.csv.tmp) and rename them into place when complete; it is taken on the next run',
    });
  }
  return { ...file, size: before.size, mtimeMs: before.mtimeMs, sha256 };
}

/** Hashes a batch's files and marks the duplicates (in path order: the first of equal files is loaded);
 * `index` learns the batch's contents, so a later batch of the same run sees them. */
export async function sealBatch(
  root: string,
  batch: Batch,
  index: ContentIndex,
  policy: Settings['duplicates'],
  signal?: AbortSignal,
): Promise<{ batch: Batch; warnings: string[] }> {
  if (batch.sealed !== false) return { batch, warnings: [] };
  const files = await eachBounded(batch.files, (f) => hashed(root, f, batch.location[f.path] ?? f.path, signal));
  const warnings: string[] = [];
  const marked = files.map((f): LandingFile => {
    const original = f.size > 0 ? index.get(f.sha256) : undefined;
    if (original === undefined) {
      if (f.size > 0) index.set(f.sha256, f.path);
      return f;
    }
    if (policy === 'refuse') {
      throw new BatchError(
        `${storeFile(f.path, batch.location[f.path])} has the same content as ${original}, which is loaded already (sha256 ${f.sha256.slice(0, 12)}…)`,
        {
          hint: 'a file is loaded once, whatever its name: move this one away if it is a second delivery; if it is new data, its content must differ; or set "ducksteps"."duplicates": "skip" to record such files without loading them',
        },
      );
    }
    warnings.push(
      `${f.input}: ${batch.location[f.path] ?? f.path} has the same content as ${original} (sha256 ${f.sha256.slice(0, 12)}…): recorded in batch ${batch.id}, not loaded again`,
    );
    return { ...f, duplicateOf: original };
  });
  return { batch: { ...batch, files: marked, sealed: true }, warnings };
}
