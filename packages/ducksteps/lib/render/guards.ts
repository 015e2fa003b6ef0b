// Statements a step or an assertion must not contain, refused at file:line before anything runs.
import { TemplateError } from '../errors.js';
import { lineIndex } from '../sql/line-map.js';
import { firstToken, splitStatements } from '../sql/split.js';
import type { RenderedFile } from '../model.js';

const TRANSACTION_CONTROL = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b/i;
const CHECKPOINT = /^(FORCE\s+)?CHECKPOINT\b/i;
const WRITES_OUTSIDE = /^(COPY\b[\s\S]*\bTO\b|EXPORT\s+DATABASE\b)/i;

/** The first statement of a rendered file whose code matches, with its source line. */
function find(file: RenderedFile, pattern: RegExp): { line: number; word: string } | undefined {
  const lineAt = lineIndex(file.sql);
  for (const chunk of splitStatements(file.sql)) {
    const code = chunk.text.slice(firstToken(chunk.text, 0));
    const word = code.match(pattern)?.[0];
    if (word)
      return {
        line: file.lineMap[lineAt(chunk.start) - 1] ?? 1,
        word: word.split(/\s+/).slice(0, 2).join(' ').toUpperCase(),
      };
  }
  return undefined;
}

/** A step is one transaction that ducksteps opens and commits: SQL that ends it would break that promise. */
export function refuseTransactionControl(file: RenderedFile): void {
  const checkpoint = file.transaction ? find(file, CHECKPOINT) : undefined;
  if (checkpoint) {
    throw new TemplateError(`${checkpoint.word} cannot run inside the step's transaction`, {
      file: file.file,
      line: checkpoint.line,
      hint: 'move it to its own file marked -- ducksteps: no-transaction (see docs/steps.md)',
    });
  }
  const found = find(file, TRANSACTION_CONTROL);
  if (!found) return;
  throw new TemplateError(
    `${found.word} is not allowed in a step: ducksteps runs each step in one transaction and commits it itself`,
    {
      file: file.file,
      line: found.line,
      hint: 'remove the statement; to commit part of a step on its own, move it to its own file marked -- ducksteps: no-transaction, or to an earlier step',
    },
  );
}

const QUERY = /^\(*\s*(SELECT|WITH|FROM|VALUES|TABLE|SUMMARIZE|DESCRIBE|SHOW|PIVOT|UNPIVOT)\b/i;

/** Assertions only read (they may run inside a step's transaction): anything but a query is refused, and
 * COPY … TO and EXPORT DATABASE would write files. */
export function refuseWrites(file: RenderedFile): void {
  const lineAt = lineIndex(file.sql);
  for (const chunk of splitStatements(file.sql)) {
    const code = chunk.text.slice(firstToken(chunk.text, 0));
    if (QUERY.test(code) || WRITES_OUTSIDE.test(code)) continue;
    const word = code.match(/^\w+/)?.[0]?.toUpperCase() ?? 'this statement';
    throw new TemplateError(`${word} is not allowed in an assertion: assertions change nothing`, {
      file: file.file,
      line: file.lineMap[lineAt(chunk.start) - 1] ?? 1,
      hint: 'an assertion is a query (SELECT …) that returns the offending rows; change data in a step',
    });
  }
  const found = find(file, WRITES_OUTSIDE);
  if (!found) return;
  throw new TemplateError(
    `${found.word.startsWith('COPY') ? 'COPY … TO' : 'EXPORT DATABASE'} is not allowed in an assertion: assertions change nothing`,
    {
      file: file.file,
      line: found.line,
      hint: 'write files in a step (or a publish target); an assertion is a query that returns the offending rows',
    },
  );
}
