// The one reader of `-- key: value` directives in SQL files: a step's `-- ducksteps: incremental` and
// `-- ducksteps: no-transaction` and `-- ducksteps: on_schema_change = …`, a CREATE TABLE's `-- contract:` and
// `-- renamed:`, an assertion's `-- name:`, `-- severity:`, `-- step:`, `-- scope:`, a publish target's
// `-- publish:`, `-- mode:`, `-- key:`, `-- url-env:`, `-- optional:`, and whatever a publish kind adds.

/** One directive line: its key (lower case), its value (trimmed) and its 1-based line in the text. */
export interface Directive {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

const LINE = /^\s*--\s*([A-Za-z][A-Za-z-]*):[ \t]*(.*?)\s*$/;

/** Every `-- key: value` line of a text (comment lines only, anywhere in it), in order. */
export function readDirectives(text: string, firstLine = 1): Directive[] {
  const out: Directive[] = [];
  text.split('\n').forEach((line, i) => {
    const m = LINE.exec(line);
    if (m) out.push({ key: m[1].toLowerCase(), value: m[2], line: firstLine + i });
  });
  return out;
}

/** The value of the first directive with this key, if any. */
export const directive = (directives: readonly Directive[], key: string): string | undefined =>
  directives.find((d) => d.key === key)?.value;

/** Whether the text says `-- ducksteps: <flag>` (incremental, no-transaction). */
export const hasFlag = (directives: readonly Directive[], flag: string): boolean =>
  directives.some((d) => d.key === 'ducksteps' && d.value.split(/\s+/)[0].toLowerCase() === flag);

/** Keys that configure the framework rather than describe a file (left out of its description). */
export const isDirective = (line: string): boolean =>
  LINE.test(line) &&
  /^\s*--\s*(ducksteps|publish|mode|key|url-env|optional|name|severity|step|scope|contract|renamed):/i.test(line);
