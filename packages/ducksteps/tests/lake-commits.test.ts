// Concurrent commits on a lake with a PostgreSQL catalog, through the worker's own step transaction: every
// commit succeeds or fails cleanly (nothing of it left), and every committed row reads back, by scans and by
// lookups DuckLake may prune with its statistics (commit-stress.ts; full size: npm run crashtest -- --commits N).
import t from 'tap';
import { commitStress } from './commit-stress.js';
import { EXTENSIONS, newLake } from './lake-server.js';

t.test(
  'parallel steps each replacing a table and appending ledger rows: every commit whole or not at all, every committed row read back',
  async (t) => {
    const dir = t.testdir();
    const lake = await newLake(t, dir);
    const result = await commitStress({
      db: lake.db,
      dataPath: lake.dataPath,
      extensionDir: EXTENSIONS,
      writers: 3,
      rounds: 6,
      log: (line) => t.comment(line),
    });
    t.same(result.problems, [], 'nothing missing, nothing extra, nothing twice');
    t.same(result.failed, [], 'no commit failed: DuckLake’s retries and the step’s own absorbed every conflict');
    t.equal(result.commits, 18);
  },
);
