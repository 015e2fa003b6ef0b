// Contracts, checked in the step's transaction before COMMIT: every column a contract promises is there with its
// type, and a NOT NULL one holds no NULL. A broken contract fails the step at the contract's file:line, naming
// what broke and who relies on it (the steps and publish targets that read the table).
import type { SchemaSupport, TableColumn } from '../engines/engine.js';
import { SchemaError } from '../errors.js';
import type { Contract } from '../model.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What broke: one phrase per column. */
async function breaches(schema: SchemaSupport, contract: Contract, actual: readonly TableColumn[]): Promise<string[]> {
  const types = await schema.spell(contract.columns.map((c) => c.type)).catch((error: unknown) => {
    throw new SchemaError(`the contract of ${contract.table} names a type the engine does not know: ${String(error)}`, {
      file: contract.file,
      line: contract.line,
    });
  });
  const promised = new Set(contract.columns.map((c) => c.name.toLowerCase()));
  const extra = actual.filter((a) => !promised.has(a.name.toLowerCase()));
  const out: string[] = [];
  for (const [i, c] of contract.columns.entries()) {
    const a = actual.find((x) => x.name.toLowerCase() === c.name.toLowerCase());
    if (!a) {
      const likely = extra.find((x) => x.type === types[i]);
      out.push(`${c.name} ${types[i]} is gone${likely ? ` (renamed to ${likely.name}?)` : ''}`);
    } else if (a.type !== types[i]) out.push(`${c.name} is ${a.type}, the contract says ${types[i]}`);
    else if (c.notNull) {
      const nulls = await schema.nulls(contract.name, a.name);
      if (nulls > 0) out.push(`${c.name} is NOT NULL by contract and ${plural(nulls, 'row')} have NULL`);
    }
  }
  return out;
}

/** Fails on the first broken contract (`readers`: table -> the steps and publish targets reading it). */
export async function checkContracts(
  schema: SchemaSupport,
  contracts: readonly Contract[],
  readers: Readonly<Record<string, readonly string[]>>,
): Promise<void> {
  for (const contract of contracts) {
    const actual = await schema.columns(contract.name);
    const broken = actual ? await breaches(schema, contract, actual) : [`the table is gone`];
    if (broken.length === 0) continue;
    const who = readers[contract.table] ?? [];
    throw new SchemaError(
      `the contract of ${contract.table} is broken: ${broken.join('; ')}${who.length ? ` (relied on by ${who.join(', ')})` : ''}; the step was rolled back`,
      {
        file: contract.file,
        line: contract.line,
        hint: 'make the step give the contracted columns again, or change the contract and its readers together (docs/schema-changes.md)',
      },
    );
  }
}
