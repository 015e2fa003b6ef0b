// Splits rendered SQL into statements, keeping where each starts, so errors and logs can name a line.

export interface SqlChunk {
  readonly text: string; // from just after the previous ';' up to and excluding this one
  readonly offset: number; // where `text` starts in the file
  readonly start: number; // offset of the first token (after blanks and comments)
}

/** Returns the index just past a quoted run starting at i (quote char q), or the end of the text. */
function skipQuoted(sql: string, i: number, q: string): number {
  for (let j = i + 1; j < sql.length; j++) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j++;
      else return j + 1;
    }
  }
  return sql.length;
}

const DOLLAR_TAG = /\$[A-Za-z_]*\$/y;

/** Index just past the comment, string or dollar-quoted block at i; i itself when there is none. */
function skipNonCode(sql: string, i: number): number {
  const c = sql[i];
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end + 1;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  if (c === "'" || c === '"') return skipQuoted(sql, i, c);
  if (c === '$') {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(sql)?.[0];
    if (tag) {
      const end = sql.indexOf(tag, i + tag.length);
      return end < 0 ? sql.length : end + tag.length;
    }
  }
  return i;
}

/** Offset of the first real token at or after i (skipping blanks and comments). */
export function firstToken(sql: string, i: number): number {
  while (i < sql.length) {
    if (/\s/.test(sql[i])) i++;
    else if ((sql[i] === '-' && sql[i + 1] === '-') || (sql[i] === '/' && sql[i + 1] === '*')) i = skipNonCode(sql, i);
    else break;
  }
  return i;
}

/** Statements of a file, empty ones (blanks and comments only) left out. */
export function splitStatements(sql: string): SqlChunk[] {
  const chunks: SqlChunk[] = [];
  let from = 0;
  const push = (to: number) => {
    const start = firstToken(sql, from);
    if (start < to) chunks.push({ text: sql.slice(from, to), offset: from, start });
    from = to + 1;
  };
  for (let i = 0; i < sql.length;) {
    const next = skipNonCode(sql, i);
    if (next !== i) {
      i = next;
    } else {
      if (sql[i] === ';') push(i);
      i++;
    }
  }
  push(sql.length);
  return chunks;
}

const KIND_WORDS = /^(?:OR\s+REPLACE\s+|TEMP(?:ORARY)?\s+|PERSISTENT\s+|UNIQUE\s+)*(\w+)/i;

/** A short statement kind for the logs: CREATE_TABLE, INSERT, COPY, SELECT, ... */
export function statementKind(text: string): string {
  const body = text.slice(firstToken(text, 0));
  const first = body.match(/^\(*\s*(\w+)/)?.[1]?.toUpperCase() ?? 'UNKNOWN';
  if (first === 'WITH' || first === 'FROM' || first === 'VALUES' || first === 'TABLE') return 'SELECT';
  if (first === 'CREATE' || first === 'DROP' || first === 'ALTER') {
    const object = body.slice(first.length).trimStart().match(KIND_WORDS)?.[1]?.toUpperCase();
    return object ? `${first}_${object}` : first;
  }
  return first;
}

/** The SQL with comments and string literals blanked out (same length), for scanning names. */
export function codeOnly(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length;) {
    const next = skipNonCode(sql, i);
    if (next !== i && sql[i] !== '"') {
      out += sql.slice(i, next).replace(/[^\n]/g, ' ');
      i = next;
    } else if (next !== i) {
      out += sql.slice(i, next);
      i = next;
    } else {
      out += sql[i++];
    }
  }
  return out;
}
