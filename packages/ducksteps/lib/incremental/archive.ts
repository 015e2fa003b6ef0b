// Moves a batch's landing files to the archive once every incremental step committed it. The move comes
// after the commit: a crash in between leaves the file in landing, where the ledger already knows it
// (same path, same content), so it is neither loaded again nor lost; the next run moves it. At the moment
// of the move the file is checked again: one that changed since it was loaded (a writer still appending)
// stays in landing, and a move that fails (disk full, read-only) is a warning: the batch is committed,
// and the next run tries again.
import { copyFileSync, lstatSync, mkdirSync, renameSync, rmSync, statSync, utimesSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sha256Of } from '../project/fingerprint.js';
import { archivePath } from '../project/inputs.js';
import type { LandingFile, Settings } from '../model.js';

/** Copies the content (a symlink's target, not the link) under a temporary name, then renames it into
 * place, keeping the file's time (the next run then need not hash it again). */
function copyInto(from: string, to: string, stat: Stats): void {
  try {
    copyFileSync(from, `${to}.part`);
    utimesSync(`${to}.part`, stat.atime, stat.mtime);
    renameSync(`${to}.part`, to);
  } catch (error) {
    rmSync(`${to}.part`, { force: true });
    throw error;
  }
}

function move(from: string, to: string, link: boolean, stat: Stats): void {
  mkdirSync(dirname(to), { recursive: true });
  if (link) {
    copyInto(from, to, stat); // a symlink's content is archived, never the link (a relative one would dangle)
    rmSync(from);
    return;
  }
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyInto(from, to, stat); // another disk
    rmSync(from);
  }
}

/** Why a file must stay in landing, if it must: its content is no longer what the batch loaded. */
async function changed(root: string, file: LandingFile, stat: Stats): Promise<string | undefined> {
  if (stat.size === file.size && stat.mtimeMs === file.mtimeMs) return undefined;
  if (stat.size === file.size && (await sha256Of(root, file.path)) === file.sha256) return undefined;
  return stat.size > file.size ? `it grew from ${file.size} to ${stat.size} bytes` : 'its content changed';
}

/** The file's state in landing (a symlink followed to its content), or undefined when it is not there. */
function landingState(path: string): { readonly link: boolean; readonly stat: Stats } | undefined {
  try {
    return { link: lstatSync(path).isSymbolicLink(), stat: statSync(path) };
  } catch {
    return undefined; // gone from landing (moved already, or by someone else), or a link to nothing
  }
}

/** Archives the files still in landing; returns a warning per file that stays. */
export async function archiveFiles(root: string, settings: Settings, files: readonly LandingFile[]): Promise<string[]> {
  if (!settings.archive) return [];
  const warnings: string[] = [];
  for (const file of files) {
    const from = resolve(root, file.path);
    const state = landingState(from);
    if (!state) continue;
    try {
      const why = await changed(root, file, state.stat);
      if (why) {
        warnings.push(
          `${file.path} was not archived: ${why} since it was loaded (a writer still appending?); it stays in landing, and the next run refuses it as a changed file`,
        );
        continue;
      }
      move(
        from,
        resolve(root, archivePath(settings.archive, settings.inputs, file.input, file.path)),
        state.link,
        state.stat,
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      warnings.push(
        `${file.path} could not be archived (${code}): its batch is committed; it stays in landing and the next run moves it`,
      );
    }
  }
  return warnings;
}
