// Text that comes from data (a landing file's value in an assertion's offending rows, a DuckDB error quoting
// it, a statement, a file name, a step script's output) must not drive the terminal that shows it: an escape
// sequence can write the clipboard (OSC 52), clear the screen, recolour or hide what follows, and a
// carriage return or a bidi override can make a line lie. Such characters are printed as visible escapes
// (\x1b, \r, \u202e); tab and newline stay where the layout needs them.

/** C0 controls (but tab and newline), DEL, C1 controls, and the bidi overrides and isolates. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_TAB = /[\u0000-\u0008\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\r': '\\r', '\t': '\\t', '\u001b': '\\x1b' };

const visible = (c: string) =>
  NAMED[c] ??
  (c.charCodeAt(0) < 0x100
    ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
    : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `text` safe to print on a terminal: control characters shown as escapes, tab and newline kept. */
export const safeText = (text: string): string => text.replace(CONTROL, visible);

/** One table cell: like safeText, and a tab shown as \t too (it would break the columns). */
export const safeCell = (text: string): string => text.replace(CONTROL_OR_TAB, visible);

/** A JSON document safe to print: JSON.stringify escapes C0 controls but leaves C1 and bidi characters raw. */
export const safeJson = (json: string): string =>
  json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
