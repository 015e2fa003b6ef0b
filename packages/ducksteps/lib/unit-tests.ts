// Unit tests with fixture rows (docs/unit-tests.md), as plain data: a test as read from tests/unit/NN_name.yaml,
// and what running it produced. Both processes read these; nothing here runs anything.
import type { StepError } from './model.js';

/** Rows of a fixture block: the column names of its header line, then each row's cells (null = NULL) and
 * the fixture file's line of each row. */
export interface FixtureRows {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
  readonly lines: readonly number[];
  readonly line: number; // the block's header line
}

/** A table the step reads, with its rows as they were before the step (types: declared ones; the rest are
 * inferred by DuckDB's CSV sniffer). */
export interface GivenTable extends FixtureRows {
  readonly table: string;
  readonly types: Readonly<Record<string, string>>;
  /** `ddl: false`: only the block's columns, not the project's CREATE TABLE (a table as an older schema left it,
   * for a test of a schema change). */
  readonly ownColumns?: boolean;
}

/** A table compared with the step's result: the header's columns only; `key` pairs changed rows. */
export interface ExpectedTable extends FixtureRows {
  readonly table: string;
  readonly key: readonly string[];
  readonly ordered: boolean;
}

/** A file the step reads (project-relative path), or a landing file of the batch (its input). */
export interface FixtureFile {
  readonly path: string;
  readonly content: string;
  readonly input?: string;
}

/** One unit test of one step. `error`: the fixture could not be read (the test is reported as an error). */
export interface UnitTest {
  readonly name: string;
  readonly step: string; // the step's id (NN_name), from the file name
  readonly file: string; // tests/unit/NN_name.yaml
  readonly line: number;
  readonly vars: Readonly<Record<string, string>>;
  readonly now: string; // frozen now(), current_date, … and the templates' run_started_at
  readonly timeZone: string;
  readonly batch?: { readonly id: number; readonly fullRefresh: boolean };
  readonly files: readonly FixtureFile[];
  readonly given: readonly GivenTable[];
  readonly expect: readonly ExpectedTable[];
  readonly error?: StepError;
}

/** A cell as shown in a diff: the value as text, null for NULL. */
export type DiffCell = string | null;

/** How one expected table differs from the step's result (rows as text, in the header's column order). */
export interface TableDiff {
  readonly table: string;
  readonly columns: readonly string[];
  readonly key: readonly string[];
  readonly expectedRows: number;
  readonly actualRows: number;
  readonly onlyExpected: ReadonlyArray<readonly DiffCell[]>;
  readonly onlyActual: ReadonlyArray<readonly DiffCell[]>;
  /** Rows matched by the key whose other cells differ. */
  readonly changed: ReadonlyArray<{ readonly expected: readonly DiffCell[]; readonly actual: readonly DiffCell[] }>;
  readonly note?: string; // the table is missing after the step
}

/** A table's rows after the step, for `create-test` (cells as text, NULL as null). */
export interface CapturedTable {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly DiffCell[]>;
}

export type UnitTestStatus = 'pass' | 'fail' | 'error';

/** What running one unit test produced. */
export interface UnitTestResult {
  readonly name: string;
  readonly step: string;
  readonly file: string;
  readonly line: number;
  readonly status: UnitTestStatus;
  readonly durationMs: number;
  readonly diffs: readonly TableDiff[]; // the tables that differ
  readonly error?: StepError; // the step failed, or the fixture is wrong
  readonly failuresFile?: string; // logs/unit_failures/<step>.<test>.txt
  readonly captured?: readonly CapturedTable[];
  readonly reused?: string; // not run again: the run that passed it with the same inputs (orchestration/reuse.ts)
}

/** Steps that do not render, with why (several steps may share one error: a broken macro file). */
export interface Unrendered {
  readonly steps: readonly string[];
  readonly error: StepError;
}

export interface UnitTestsReport {
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly durationMs: number;
  readonly results: readonly UnitTestResult[];
  /** Steps of the project that do not render: reported once, before the tests (their tests refer to it). */
  readonly unrendered?: readonly Unrendered[];
}

/** A test's name as people see it: 03_quality › one_reason_per_rejected_row. */
export const unitTestName = (t: { readonly step: string; readonly name: string }): string => `${t.step} › ${t.name}`;

/** How many rows of a result differ from what was expected. */
export const differingRows = (r: UnitTestResult): number =>
  r.diffs.reduce((n, d) => n + d.onlyExpected.length + d.onlyActual.length + d.changed.length, 0);
