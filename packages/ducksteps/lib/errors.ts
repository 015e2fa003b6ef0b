// Named errors for user mistakes: each knows where (file:line), what to do, and its exit code.
import type { StepError } from './model.js';

export interface ErrorDetails {
  readonly file?: string;
  readonly line?: number;
  readonly hint?: string;
  readonly cause?: unknown;
}

/** Base class: `shortMessage` is one line; `message` adds file:line and the hint. */
export class DuckstepsError extends Error {
  readonly shortMessage: string;
  readonly file?: string;
  readonly line?: number;
  readonly hint?: string;
  readonly exitCode: number = 2;

  constructor(shortMessage: string, details: ErrorDetails = {}) {
    const where = details.file ? `${details.file}${details.line ? `:${details.line}` : ''}: ` : '';
    super(`${where}${shortMessage}${details.hint ? `\n  ${details.hint}` : ''}`, { cause: details.cause });
    this.name = new.target.name;
    this.shortMessage = shortMessage;
    this.file = details.file;
    this.line = details.line;
    this.hint = details.hint;
  }

  /** The same facts as plain data, for a step or assertion result. */
  toStepError(): StepError {
    return { message: this.shortMessage, file: this.file, line: this.line, hint: this.hint };
  }
}

/** Bad command line: unknown flag, missing value, --var without '='. */
export class UsageError extends DuckstepsError {}

/** Bad package.json "ducksteps" settings or database path. */
export class ConfigError extends DuckstepsError {}

/** The project layout is wrong: duplicate step numbers, empty step, orphan script. */
export class DiscoveryError extends DuckstepsError {}

/** Nunjucks could not render a file (undefined variable, syntax, missing include). */
export class TemplateError extends DuckstepsError {
  override readonly exitCode = 1;
}

/** The warehouse is not as ducksteps left it and it cannot set it right alone (on a cluster: a table stands
 * where ducksteps keeps a table's view). */
export class WarehouseError extends DuckstepsError {}

/** Another ducksteps run holds the database. */
export class LockError extends DuckstepsError {}

/** A deferred run reads a table the target it defers to does not have (or cannot open that target): a failed
 * step, at the statement that reads it. */
export class DeferError extends DuckstepsError {
  override readonly exitCode = 1;
}

/** A landing file cannot be taken into a batch (changed after loading, unreadable, gone): a failed step. */
export class BatchError extends DuckstepsError {
  override readonly exitCode = 1;
}

/** An input's newest file is older than its "errorAfter": the run stops before its steps. */
export class FreshnessError extends DuckstepsError {
  override readonly exitCode = 1;
}

/** A file under logs/ could not be written (a full disk, permissions): the run stops there, saying which. */
export class LogWriteError extends DuckstepsError {
  override readonly exitCode = 1;
}

/** A unit-test fixture (tests/unit/*.yaml) that cannot be read: its tests are reported as errors. */
export class FixtureError extends DuckstepsError {
  override readonly exitCode = 1;
}

/** A table a step declares differs from the warehouse's and its on_schema_change does not make the change, or a
 * contract is broken: the step fails (rolled back) at the CREATE TABLE's or the contract's file:line. */
export class SchemaError extends DuckstepsError {
  override readonly exitCode = 1;
}

/** What an error that ends a run says in its log row: a DuckstepsError's one line, anything else as internal. */
export const crashMessage = (error: unknown): string =>
  error instanceof DuckstepsError ? error.shortMessage : `internal error: ${(error as Error)?.message ?? error}`;

/** The warehouse refused a query of show or sql (an unknown table, a syntax error, a write on a read-only open). */
export class QueryError extends DuckstepsError {
  override readonly exitCode = 1;
}
