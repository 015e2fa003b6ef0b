// Moves a batch's landing files to the archive once every incremental step committed it. The move comes
// after the commit: a crash in between leaves the file in landing, where the ledger already knows it
// (same path, same content), so it is neither loaded again nor lost; the next run moves it.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { archivePath } from '../project/inputs.js';
import type { LandingFile, Settings } from '../model.js';

function move(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyFileSync(from, `${to}.part`); // another disk: copy under a temporary name, then rename into place
    renameSync(`${to}.part`, to);
    rmSync(from);
  }
}

/** Archives the files still in landing; returns how many moved. */
export function archiveFiles(root: string, settings: Settings, files: readonly LandingFile[]): number {
  if (!settings.archive) return 0;
  let moved = 0;
  for (const file of files) {
    const from = join(root, file.path);
    if (!existsSync(from)) continue;
    move(from, join(root, archivePath(settings.archive, settings.inputs, file.input, file.path)));
    moved++;
  }
  return moved;
}
