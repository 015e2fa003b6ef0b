// A deferred step's reads, inside its transaction: each table it reads that the run does not build becomes, for
// the transaction only, a view of the deferred-to target's table (attached read-only: engines/defer.ts) — no
// rows copied. A stale copy the run's own warehouse holds is renamed aside meanwhile, and put back (the views
// dropped, schemas made for them removed) just before COMMIT, so the step commits only what it built.
import { DEFER_ALIAS } from '../engines/defer.js';
import type { Session } from '../engines/engine.js';
import { DeferError } from '../errors.js';
import type { StepJob } from '../protocol.js';
import { lineIndex } from '../sql/line-map.js';
import { sqlIdent, sqlString } from '../sql/quote.js';

const HIDDEN = '__ducksteps_deferred';

interface Shim {
  readonly schema: string;
  readonly table: string;
  readonly aside?: 'TABLE' | 'VIEW'; // the run's own copy, renamed aside
  readonly newSchema: boolean;
}

const split = (name: string): [string, string] => {
  const parts = name.split('.');
  return parts.length === 1 ? ['main', parts[0]] : [parts[0], parts[1]];
};

/** Where a step first names `table`: its file and source line (the deferred read that cannot be served). */
function firstMention(job: StepJob, table: string): { file?: string; line?: number } {
  const word = new RegExp(String.raw`(?<![\w"])"?${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?(?![\w"])`, 'i');
  for (const f of job.files) {
    const at = f.sql.search(word);
    if (at >= 0) return { file: f.file, line: f.lineMap[lineIndex(f.sql)(at) - 1] };
  }
  return { file: job.files[0]?.file };
}

async function kindIn(session: Session, catalog: string, schema: string, table: string) {
  const { rows } = await session.query(
    `SELECT table_type FROM information_schema.tables WHERE table_catalog = ${catalog} AND lower(table_schema) = ${sqlString(schema)} AND lower(table_name) = ${sqlString(table)}`,
  );
  return rows.length === 0 ? undefined : String(rows[0].table_type) === 'VIEW' ? ('VIEW' as const) : ('TABLE' as const);
}

async function shim(session: Session, job: StepJob, name: string): Promise<Shim> {
  const [schema, table] = split(name);
  const defer = job.connection.defer!;
  if (!(await kindIn(session, sqlString(DEFER_ALIAS), schema, table))) {
    const running = defer.running ? `target ${defer.running}` : 'this run';
    throw new DeferError(
      `${name} is read from target ${defer.target} (deferred: ${running} does not build it), and ${defer.target} has no ${name}`,
      {
        ...firstMention(job, `${schema === 'main' ? '' : `${schema}.`}${table}`),
        hint: `build it in ${defer.target} first (./run.sh --target ${defer.target}), or select the step that builds it`,
      },
    );
  }
  const q = `${sqlIdent(schema)}.${sqlIdent(table)}`;
  const aside = await kindIn(session, 'current_database()', schema, table);
  if (aside) await session.run(`ALTER ${aside} ${q} RENAME TO ${sqlIdent(table + HIDDEN)}`);
  const newSchema =
    (
      await session.query(
        `SELECT 1 FROM duckdb_schemas() WHERE database_name = current_database() AND lower(schema_name) = ${sqlString(schema)}`,
      )
    ).rows.length === 0;
  if (newSchema) await session.run(`CREATE SCHEMA ${sqlIdent(schema)}`);
  await session.run(`CREATE VIEW ${q} AS SELECT * FROM ${sqlIdent(DEFER_ALIAS)}.${q}`);
  return { schema, table, aside, newSchema };
}

/** Whether the step left a schema made for its views empty (then it goes again). */
async function emptySchema(session: Session, schema: string): Promise<boolean> {
  const where = `database_name = current_database() AND lower(schema_name) = ${sqlString(schema)}`;
  const { rows } = await session.query(
    `SELECT (SELECT count(*) FROM duckdb_tables() WHERE ${where}) + (SELECT count(*) FROM duckdb_views() WHERE ${where}) AS n`,
  );
  return Number(rows[0]?.n ?? 0) === 0;
}

/** Makes the step's deferred reads resolve to the deferred-to target; returns what undoes it before COMMIT. */
export async function deferReads(session: Session, job: StepJob): Promise<() => Promise<void>> {
  const shims: Shim[] = [];
  for (const name of job.connection.defer ? (job.deferred ?? []) : []) shims.push(await shim(session, job, name));
  return async () => {
    for (const s of shims.reverse()) {
      const q = `${sqlIdent(s.schema)}.${sqlIdent(s.table)}`;
      await session.run(`DROP VIEW IF EXISTS ${q}`);
      if (s.aside)
        await session.run(
          `ALTER ${s.aside} ${sqlIdent(s.schema)}.${sqlIdent(s.table + HIDDEN)} RENAME TO ${sqlIdent(s.table)}`,
        );
      if (s.newSchema && (await emptySchema(session, s.schema))) await session.run(`DROP SCHEMA ${sqlIdent(s.schema)}`);
    }
  };
}
