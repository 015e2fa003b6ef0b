// Inside the worker: check that every statement parses, with DuckDB's parser on an in-memory database.
import { openDatabase } from './duckdb.js';
import { locateSqlError } from './sql-error.js';
import { splitStatements } from '../render/split.js';
import type { ParseJob, ParseReport, StepError } from '../types.js';

/** Parses every statement of every file; collects all errors instead of stopping at the first. */
export async function parseFiles(job: ParseJob): Promise<ParseReport> {
  const db = await openDatabase(':memory:');
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
