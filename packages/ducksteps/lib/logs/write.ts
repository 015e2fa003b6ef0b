// Every file ducksteps writes under logs/ during a run goes through here: a write that fails (a full disk,
// permissions) leaves the file as it was — a half-appended CSV row is cut back, a half-written new file
// removed, so the space is free again for the run's own failure row — and stops the run with one message
// naming the file, never an internal error.
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { LogWriteError } from '../errors.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EROFS: 'the disk is read-only',
  EPERM: 'not permitted',
};

/** Writes (or appends) `text` to `path`; throws LogWriteError and restores the file when it cannot. */
export function writeLog(path: string, text: string | Buffer, append = false): void {
  const before = existsSync(path) ? statSync(path).size : undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    (append ? appendFileSync : writeFileSync)(path, text);
  } catch (cause) {
    try {
      if (append && before !== undefined) truncateSync(path, before);
      else if (before === undefined) rmSync(path, { force: true });
    } catch {
      // the file cannot even be restored: the message below still says what failed
    }
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new LogWriteError(
      `cannot write ${relative(process.cwd(), path) || path} (${code}${REASONS[code] ? `: ${REASONS[code]}` : ''})`,
      {
        cause,
        hint: 'free space on the disk that holds logs/ (or fix its permissions), then continue with ./run.sh --resume; what committed before this stays committed',
      },
    );
  }
}
