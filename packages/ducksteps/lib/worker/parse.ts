// Inside the worker: check that every statement parses, with DuckDB's parser on an in-memory database.
import { openScratch } from '../engines/open.js';
import type { StepError } from '../model.js';
import type { ParseJob } from '../protocol.js';
import type { ParseReport } from '../results.js';
import { splitStatements } from '../sql/split.js';
import { locateSqlError } from './sql-error.js';

/** Parses every statement of every file; collects all errors instead of stopping at the first. */
export async function parseFiles(job: ParseJob): Promise<ParseReport> {
  const db = await openScratch();
  const errors: StepError[] = [];
  let statements = 0;
  try {
    for (const file of job.files) {
      for (const chunk of splitStatements(file.sql)) {
        try {
          statements += await db.parse(chunk.text);
        } catch (error) {
          errors.push(locateSqlError(error, file, chunk));
        }
      }
    }
  } finally {
    db.close();
  }
  return { statements, errors };
}
