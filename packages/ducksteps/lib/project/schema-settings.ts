// A step's schema settings: its on_schema_change (`-- ducksteps: on_schema_change = append_new_columns` in one
// of its files) and its contracts (`contract.yaml` in its folder: table -> column -> type [NOT NULL]).
// docs/schema-changes.md. A mistake is a DiscoveryError at its file:line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Pair, YAMLMap } from 'yaml';
import { yaml } from './yaml.js';
import { ConfigError, DiscoveryError } from '../errors.js';
import { SCHEMA_POLICIES, type Contract, type SchemaPolicy } from '../model.js';
import { unquote } from '../sql/column-list.js';
import type { Directive } from '../sql/directives.js';

/** The policy a file's directives set, if any. */
export function policyOf(directives: readonly Directive[], file: string): SchemaPolicy | undefined {
  const line = directives.find((d) => d.key === 'ducksteps' && /^on_schema_change\b/i.test(d.value));
  if (!line) return undefined;
  const value = line.value.match(/^on_schema_change\s*=\s*(\S*)\s*$/i)?.[1] ?? '';
  if (SCHEMA_POLICIES.includes(value as SchemaPolicy)) return value as SchemaPolicy;
  throw new DiscoveryError(`unknown on_schema_change "${value}"`, {
    file,
    line: line.line,
    hint: `write -- ducksteps: on_schema_change = ${SCHEMA_POLICIES.join(' | ')} (docs/schema-changes.md)`,
  });
}

/** A project-wide policy from package.json "onSchemaChange". */
export function policySetting(value: unknown): SchemaPolicy | undefined {
  if (value === undefined || SCHEMA_POLICIES.includes(value as SchemaPolicy)) return value as SchemaPolicy | undefined;
  throw new ConfigError(
    `"ducksteps"."onSchemaChange" must be ${SCHEMA_POLICIES.join(', ')}, got ${JSON.stringify(value)}`,
    {
      file: 'package.json',
      hint: 'docs/schema-changes.md says what each does',
    },
  );
}

const COLUMN = /^(.*?)(\s+NOT\s+NULL)?\s*$/i;

/** One table's contract from its mapping (column: TYPE [NOT NULL]). */
function tableContract(pair: Pair<Node, Node>, file: string, at: (n: Node | null | undefined) => number): Contract {
  const name = String((pair.key as { value?: unknown }).value ?? '');
  const fail = (what: string, node: Node | null | undefined) =>
    new DiscoveryError(what, {
      file,
      line: at(node),
      hint: 'write table: then one "column: TYPE [NOT NULL]" line per column',
    });
  if (!yaml().isMap(pair.value) || (pair.value as YAMLMap).items.length === 0)
    throw fail(`contract of ${name} lists no columns`, pair.key);
  const columns = ((pair.value as YAMLMap<Node, Node>).items as Array<Pair<Node, Node>>).map((c) => {
    const type = yaml().isScalar(c.value) ? String(c.value.value ?? '') : '';
    const m = type.match(COLUMN);
    if (!m || m[1].trim() === '')
      throw fail(`contract of ${name}: column ${String((c.key as { value?: unknown }).value)} has no type`, c.key);
    return { name: String((c.key as { value?: unknown }).value), type: m[1].trim(), notNull: Boolean(m[2]) };
  });
  return { table: unquote(name).toLowerCase(), name, columns, file, line: at(pair.key) };
}

/** The contracts of a step folder's contract.yaml ([] without one). */
export function contractsOf(root: string, dir: string): Contract[] {
  const file = `${dir}/contract.yaml`;
  if (!existsSync(join(root, file))) return [];
  const lines = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(readFileSync(join(root, file), 'utf8'), { lineCounter: lines });
  const at = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  if (doc.errors.length)
    throw new DiscoveryError(`contract.yaml does not parse: ${doc.errors[0].message.split('\n')[0]}`, {
      file,
      line: doc.errors[0].linePos?.[0].line,
    });
  if (!yaml().isMap(doc.contents))
    throw new DiscoveryError('contract.yaml must map tables to their columns', {
      file,
      hint: 'e.g. mart.t:\\n  id: BIGINT NOT NULL',
    });
  return ((doc.contents as YAMLMap<Node, Node>).items as Array<Pair<Node, Node>>).map((p) =>
    tableContract(p, file, at),
  );
}
