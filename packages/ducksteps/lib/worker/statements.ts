// Inside the worker: run a rendered file's statements in order, logging each with its source line, and
// report a long statement's progress to the driver.
import { lineIndex } from '../sql/line-map.js';
import { splitStatements, statementKind } from '../sql/split.js';
import type { Session } from '../engines/engine.js';
import type { RenderedFile, StepError } from '../model.js';
import type { StatementResult } from '../results.js';
import type { WorkerMessage } from '../protocol.js';
import { DuckstepsError } from '../errors.js';
import { locateSqlError } from './sql-error.js';

/** A statement the engine rejected, located in the user's file. */
export class StatementFailure extends Error {
  constructor(readonly located: StepError) {
    super(located.message);
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 160);

/** The statement running now, for the progress messages the driver shows on a long statement. */
let current: { file: string; line: number; index: number; count: number; started: number } | undefined;
const PROGRESS_AFTER_MS = 2000;

const send = (message: WorkerMessage) => process.send?.(message);

/** Every second of a statement running longer than 2 s: the engine's progress to the driver, over IPC. */
export function reportProgress(session: Session): NodeJS.Timeout {
  return setInterval(() => {
    if (!current || performance.now() - current.started < PROGRESS_AFTER_MS) return;
    const { percentage, rows } = session.progress();
    const { file, line, index, count, started } = current;
    send({
      kind: 'progress',
      progress: { file, line, index, count, percentage, rows, elapsedMs: Math.round(performance.now() - started) },
    });
  }, 1000).unref();
}

/** Runs a file's statements, appending each result to `log` (and calling `onOk` after each that ran);
 * `before` sees each statement first (schema changes: worker/schema-guard.ts). Throws StatementFailure on
 * the first error, located at the statement (a DuckstepsError keeps its own message and hint). */
export async function runFile(
  session: Session,
  file: RenderedFile,
  log: StatementResult[],
  onOk?: () => void,
  before?: (statement: string, file: string, line: number) => Promise<void>,
): Promise<void> {
  const chunks = splitStatements(file.sql);
  const lineAt = lineIndex(file.sql);
  for (const [i, chunk] of chunks.entries()) {
    const line = file.lineMap[lineAt(chunk.start) - 1] ?? 1;
    const code = chunk.text.slice(chunk.start - chunk.offset);
    const base = { file: file.file, index: i + 1, line, kind: statementKind(chunk.text), text: oneLine(code) };
    const started = performance.now();
    current = { file: file.file, line, index: i + 1, count: chunks.length, started };
    try {
      await before?.(chunk.text, file.file, line);
      const { rowsChanged } = await session.run(chunk.text, code);
      log.push({ ...base, rowsChanged, durationMs: Math.round(performance.now() - started), status: 'ok' });
      onOk?.();
    } catch (error) {
      const at = locateSqlError(error, file, chunk);
      const located = error instanceof DuckstepsError ? { ...at, message: error.shortMessage, hint: error.hint } : at;
      log.push({
        ...base,
        rowsChanged: 0,
        durationMs: Math.round(performance.now() - started),
        status: 'failed',
        error: located.message,
      });
      throw new StatementFailure(located);
    } finally {
      current = undefined;
    }
  }
}
