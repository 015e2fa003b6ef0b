// The ledger's last line of defence (worker/ledger.ts): whatever the driver planned, a step job never loads a
// file the ledger has already loaded — by path or by content — nor processes a batch it already committed. Each
// refusal fails the step with its message and commits nothing, neither data nor ledger rows.
import t from 'tap';
import { join } from 'node:path';
import { WorkerPool } from '../lib/processes/pool.js';
import type { Batch, Connection, LandingFile } from '../lib/model.js';
import type { StepJob } from '../lib/protocol.js';
import { query } from './helpers.js';

const file = (path: string, sha256: string, extra: Partial<LandingFile> = {}): LandingFile => ({
  input: 'ev',
  path,
  size: 4,
  mtimeMs: 1,
  sha256,
  ...extra,
});
const batch = (id: number, files: LandingFile[], isNew = true): Batch => ({
  id,
  fullRefresh: false,
  isNew,
  done: [],
  location: {},
  files,
});

t.test(
  'a step job refuses a file loaded before (by path or by content) and a batch it committed, committing nothing',
  async (t) => {
    const root = t.testdir({ logs: {} });
    const db = join(root, 'w.duckdb');
    const connection: Connection = { warehouse: { engine: 'duckdb', path: db }, pipeline: 'ledger-test' };
    const pool = new WorkerPool(root);
    t.teardown(() => pool.close());
    const job = (b: Batch, value: number): StepJob => ({
      kind: 'step',
      connection,
      step: { number: 1, name: 'load', id: '01_load' },
      vars: {},
      files: [
        {
          file: 'sql/01_load/a.sql',
          compiled: 'logs/compiled/sql/01_load/a.sql',
          sql: `CREATE TABLE IF NOT EXISTS ev (v INTEGER);\nINSERT INTO ev VALUES (${value});`,
          lineMap: [1, 2],
          transaction: true,
        },
      ],
      ledger: { step: '01_load', runId: `r${value}`, batch: b },
      failuresDir: join(root, 'logs', 'test_failures'),
    });
    const run = async (b: Batch, value: number) => {
      const answer = await pool.run(job(b, value));
      if (!('result' in answer)) throw new Error(`the worker died: ${answer.died}`);
      return answer.result;
    };
    const state = async () => ({
      rows: await query(db, 'SELECT v FROM ev ORDER BY v'),
      files: await query(db, 'SELECT batch_id, path FROM ducksteps.loaded_files ORDER BY path'),
      steps: await query(db, 'SELECT step, batch_id FROM ducksteps.step_batches ORDER BY batch_id'),
    });

    const first = await run(batch(1, [file('data/a.csv', 'aaa'), file('data/empty.csv', 'eee', { size: 0 })]), 1);
    t.equal(first.status, 'ok', 'batch 1 loads');
    const before = await state();
    t.same(before.rows, [{ v: 1 }]);

    const cases: Array<[string, Batch, string]> = [
      [
        'a path already loaded',
        batch(2, [file('data/b.csv', 'bbb'), file('data/a.csv', 'aaa2')]),
        'ledger: 1 file(s) of batch 2 are already loaded; refusing to load them twice',
      ],
      [
        "a loaded file's content under a new name",
        batch(2, [file('data/a_again.csv', 'aaa')]),
        'ledger: 1 file(s) of batch 2 have the content of a loaded file; refusing to load it twice',
      ],
      [
        'a batch the step committed',
        batch(1, [file('data/a.csv', 'aaa')], false),
        'ledger: step 01_load already committed batch 1; refusing to process it twice',
      ],
    ];
    for (const [name, b, message] of cases) {
      const result = await run(b, 2);
      t.equal(result.status, 'failed', `${name}: the step fails`);
      t.equal(result.error?.message, message, `${name}: saying why`);
      t.same(result.committed, [], `${name}: nothing committed`);
      t.same(await state(), before, `${name}: no row, no ledger row`);
    }

    const fine = await run(
      batch(2, [
        file('data/empty2.csv', 'eee', { size: 0 }),
        file('data/a_dup.csv', 'aaa', { duplicateOf: 'data/a.csv' }),
      ]),
      2,
    );
    t.equal(fine.status, 'ok', 'an empty file, and a duplicate recorded as one (not read), are no second load');
    t.same((await state()).files.length, 4);
  },
);
