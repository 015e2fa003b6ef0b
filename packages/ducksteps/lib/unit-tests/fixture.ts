// Reads one fixture file, tests/unit/NN_name.yaml (docs/unit-tests.md): each top-level key is a test of step
// NN_name with its given rows, landing files, vars, frozen time and expected rows. A mistake is a FixtureError at
// the file's line; it makes that test (or, when the file does not parse, the file) an error, never a crash.
import type { Node, Pair, YAMLMap } from 'yaml';
import { yaml } from '../project/yaml.js';
import { FixtureError } from '../errors.js';
import type { ExpectedTable, FixtureFile, GivenTable, UnitTest } from '../unit-tests.js';
import { parseRows } from './fixture-rows.js';

/** Where the fixture's nodes are: file and line of a node. */
interface Source {
  readonly file: string;
  readonly at: (node: Node | null | undefined) => number;
}

const TEST_KEYS = ['description', 'vars', 'now', 'timezone', 'batch', 'files', 'given', 'expect'];
export const DEFAULT_NOW = '2000-01-01 00:00:00';

/** The line a block starts on: a literal block's text begins on the line after its `|`. */
const firstLine = (src: Source, node: Node) =>
  src.at(node) + (yaml().isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') ? 1 : 0);

function mapping(src: Source, node: Node | null | undefined, what: string): YAMLMap<Node, Node> {
  if (!yaml().isMap(node))
    throw new FixtureError(`${what} must be a mapping (name: value lines)`, { file: src.file, line: src.at(node) });
  return node as YAMLMap<Node, Node>;
}

function text(src: Source, node: Node | null | undefined, what: string): string {
  if (!yaml().isScalar(node) || node.value === null || typeof node.value === 'object')
    throw new FixtureError(`${what} must be a value`, { file: src.file, line: src.at(node) });
  return String(node.value);
}

const pairs = (map: YAMLMap<Node, Node>) => map.items as Array<Pair<Node, Node>>;
const keyOf = (src: Source, pair: Pair<Node, Node>) => text(src, pair.key, 'a key');

/** A table's rows: a CSV block, or a mapping with `rows:` and the table's options. */
function rowsOf(src: Source, node: Node, table: string, options: readonly string[]) {
  if (yaml().isScalar(node))
    return {
      rows: parseRows(text(src, node, table), src.file, firstLine(src, node)),
      options: new Map<string, Node>(),
    };
  const map = mapping(src, node, table);
  const options_ = new Map<string, Node>();
  let rows;
  for (const pair of pairs(map)) {
    const key = keyOf(src, pair);
    if (key === 'rows') rows = parseRows(text(src, pair.value, `${table}.rows`), src.file, firstLine(src, pair.value!));
    else if (options.includes(key)) options_.set(key, pair.value!);
    else
      throw new FixtureError(`unknown key "${key}" for ${table}`, {
        file: src.file,
        line: src.at(pair.key),
        hint: `a table takes rows:${options.map((o) => ` ${o}:`).join('')}`,
      });
  }
  if (!rows)
    throw new FixtureError(`${table} has no rows:`, {
      file: src.file,
      line: src.at(map),
      hint: 'rows: | then a header line and one line per row',
    });
  return { rows, options: options_ };
}

const names = (src: Source, node: Node | undefined): string[] =>
  !node
    ? []
    : yaml().isScalar(node)
      ? text(src, node, 'key')
          .split(',')
          .map((s) => s.trim())
      : (node.toJSON() as unknown[]).map(String);

function given(src: Source, node: Node | null | undefined): GivenTable[] {
  return pairs(mapping(src, node, 'given')).map((pair) => {
    const table = keyOf(src, pair);
    const { rows, options } = rowsOf(src, pair.value!, table, ['types', 'ddl']);
    const types = options.has('types')
      ? Object.fromEntries(
          Object.entries(mapping(src, options.get('types'), `${table}.types`).toJSON() as Record<string, unknown>).map(
            ([k, v]) => [k, String(v)],
          ),
        )
      : {};
    const unknown = Object.keys(types).find((c) => !rows.columns.includes(c));
    if (unknown)
      throw new FixtureError(`${table}.types names column "${unknown}", which the rows do not have`, {
        file: src.file,
        line: src.at(options.get('types')),
      });
    const ddl = options.has('ddl') ? text(src, options.get('ddl'), `${table}.ddl`) : 'true';
    if (ddl !== 'true' && ddl !== 'false')
      throw new FixtureError(`${table}.ddl must be true or false, got "${ddl}"`, {
        file: src.file,
        line: src.at(options.get('ddl')),
        hint: "ddl: false gives the table only the block's columns (an older schema), not the project's CREATE TABLE",
      });
    return { table, types, ...rows, ...(ddl === 'false' ? { ownColumns: true } : {}) };
  });
}

function expected(src: Source, node: Node | null | undefined): ExpectedTable[] {
  return pairs(mapping(src, node, 'expect')).map((pair) => {
    const table = keyOf(src, pair);
    const { rows, options } = rowsOf(src, pair.value!, table, ['key', 'ordered']);
    const key = names(src, options.get('key'));
    const missing = key.find((k) => !rows.columns.includes(k));
    if (missing)
      throw new FixtureError(`the key of ${table} names column "${missing}", which its rows do not have`, {
        file: src.file,
        line: src.at(options.get('key')),
        hint: `key: one or more of ${rows.columns.join(', ')}`,
      });
    const ordered = options.has('ordered') && text(src, options.get('ordered'), 'ordered') === 'true';
    return { table, key, ordered, ...rows };
  });
}

/** Landing files of the batch (`input: {name: content}`) and other files the step reads (`path: content`). */
function files(src: Source, node: Node | null | undefined, input?: string): FixtureFile[] {
  if (!node) return [];
  return pairs(mapping(src, node, input ? `batch.files.${input}` : 'files')).map((pair) => ({
    path: keyOf(src, pair),
    content: text(src, pair.value, keyOf(src, pair)),
    input,
  }));
}

function batchOf(src: Source, node: Node | null | undefined): { batch: UnitTest['batch']; files: FixtureFile[] } {
  const map = mapping(src, node, 'batch');
  const id = Number(text(src, map.get('id', true) ?? null, 'batch.id'));
  if (!Number.isInteger(id) || id < 1)
    throw new FixtureError('batch.id must be a whole number >= 1', { file: src.file, line: src.at(map) });
  const landing = map.get('files', true) as Node | undefined;
  const inputs = landing
    ? pairs(mapping(src, landing, 'batch.files')).flatMap((p) => files(src, p.value, keyOf(src, p)))
    : [];
  const fullRefresh =
    map.has('full_refresh') && text(src, map.get('full_refresh', true) as Node, 'batch.full_refresh') === 'true';
  return { batch: { id, fullRefresh }, files: inputs };
}

/** One test from its mapping. */
function testOf(src: Source, name: string, step: string, node: Node | null | undefined, line: number): UnitTest {
  const map = mapping(src, node, `test ${name}`);
  for (const pair of pairs(map)) {
    const key = keyOf(src, pair);
    if (!TEST_KEYS.includes(key))
      throw new FixtureError(`unknown key "${key}" in test ${name}`, {
        file: src.file,
        line: src.at(pair.key),
        hint: `a test takes: ${TEST_KEYS.join(', ')}`,
      });
  }
  const get = (key: string) => map.get(key, true) as Node | undefined;
  const vars = get('vars')
    ? Object.fromEntries(
        Object.entries(mapping(src, get('vars'), 'vars').toJSON() as Record<string, unknown>).map(([k, v]) => [
          k,
          String(v),
        ]),
      )
    : {};
  const batch = get('batch') ? batchOf(src, get('batch')) : undefined;
  if (!get('expect'))
    throw new FixtureError(`test ${name} has no expect:`, {
      file: src.file,
      line,
      hint: "expect: names the tables to compare with the step's result, with their rows",
    });
  return {
    name,
    step,
    file: src.file,
    line,
    vars,
    now: get('now') ? text(src, get('now'), 'now') : DEFAULT_NOW,
    timeZone: get('timezone') ? text(src, get('timezone'), 'timezone') : 'UTC',
    batch: batch?.batch,
    files: [...files(src, get('files')), ...(batch?.files ?? [])],
    given: get('given') ? given(src, get('given')) : [],
    expect: expected(src, get('expect')),
  };
}

/** Every test of a fixture file; a test that cannot be read carries its error, a file that does not parse is
 * one test (named after the file) carrying it. */
export function readFixture(file: string, source: string, step: string): UnitTest[] {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(source, { lineCounter, uniqueKeys: true });
  const src: Source = { file, at: (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1) };
  const broken = (error: FixtureError, name = '(file)', line = 1): UnitTest => ({
    name,
    step,
    file,
    line,
    vars: {},
    now: DEFAULT_NOW,
    timeZone: 'UTC',
    files: [],
    given: [],
    expect: [],
    error: error.toStepError(),
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    return [
      broken(
        new FixtureError(
          `the file is not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
          {
            file,
            line: e.linePos?.[0].line,
            hint: 'fix the YAML at that line (indent with spaces; a block of rows starts with |)',
          },
        ),
      ),
    ];
  }
  if (doc.contents === null) return [];
  if (!yaml().isMap(doc.contents))
    return [
      broken(
        new FixtureError('the file must map test names to tests', {
          file,
          line: 1,
          hint: 'my_test:\\n  given: …\\n  expect: …',
        }),
      ),
    ];
  return pairs(doc.contents as YAMLMap<Node, Node>).map((pair) => {
    const name = yaml().isScalar(pair.key) ? String(pair.key.value) : '(test)';
    const line = src.at(pair.key);
    try {
      if (!/^[A-Za-z0-9_][A-Za-z0-9_ .-]*$/.test(name))
        throw new FixtureError(`test name "${name}" is not valid`, {
          file,
          line,
          hint: 'use letters, digits, _, -, . and spaces',
        });
      return testOf(src, name, step, pair.value, line);
    } catch (error) {
      if (!(error instanceof FixtureError)) throw error;
      return broken(error, name, line);
    }
  });
}
