// The project's own column types for a unit test's given tables: the CREATE TABLE statements with a column
// list (CREATE TABLE [IF NOT EXISTS] schema.t (col TYPE, …)) found in the steps' rendered SQL.
import { codeOnly } from '../sql/split.js';
import { statementsOf } from './lineage.js';

const DDL =
  /^CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))*)\s*\(/i;

/** Table name (lower-case, unquoted) -> the first statement that creates it with a column list. */
export function tableDefinitions(texts: Iterable<readonly string[]>): Map<string, string> {
  const found = new Map<string, string>();
  for (const statement of statementsOf([...texts].flat())) {
    const name = codeOnly(statement).match(DDL)?.[1].replace(/"/g, '').toLowerCase();
    if (name && !found.has(name)) found.set(name, statement);
  }
  return found;
}
