// Which files an input holds, in-process: watch's per-path matcher (no folder listing per event, so a
// burst of thousands of files costs thousands of checks, not thousands of listings) accepts exactly the
// landing files the scan finds.
import t from 'tap';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputMatcher } from '../lib/project/input-match.js';
import { scanStore } from '../lib/project/inputs.js';
import type { Settings } from '../lib/model.js';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));

t.test("watch's per-path matcher accepts exactly the landing files the scan finds", async (t) => {
  const root = t.testdir();
  const files = [
    'data/in/a.csv',
    'data/in/b.csv.tmp',
    'data/in/.hidden.csv',
    'data/in/sub/c.csv',
    'data/in/sub/deep/d.csv',
    'data/in/e.json',
    'data/in/done/events/x.csv',
    'data/other/f.csv',
    'data/in/g.csv~',
    'data/in/h.part',
    'data/in/*.csv',
    'data/in/k.json',
  ];
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'id\n1\n');
  }
  const settings: Settings = {
    database: 'data/w.duckdb',
    vars: {},
    inputs: { events: 'data/in/**/*.csv', meta: 'data/in/*.json' },
    archive: 'data/in/done',
  };
  const scanned = scanStore(root, settings)
    .files.filter((f) => f.at === f.path)
    .map((f) => `${f.input} ${f.path}`)
    .sort();
  const match = inputMatcher(root, settings);
  const matched = walk(root)
    .flatMap((abs) => {
      const m = match(abs);
      return m ? [`${m[0]} ${m[1]}`] : [];
    })
    .sort();
  t.same(matched, scanned);
  t.same(scanned, [
    'events data/in/*.csv',
    'events data/in/a.csv',
    'events data/in/sub/c.csv',
    'events data/in/sub/deep/d.csv',
    'meta data/in/e.json',
    'meta data/in/k.json',
  ]);
});
