// Whether a process is running: the run lock, and the cleanup of what killed runs left behind, ask it.
import { readFileSync } from 'node:fs';

/** Whether process `pid` is running; a zombie (dead, not yet reaped by its parent) is not. */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS, Windows): trust kill(0)
  }
}
