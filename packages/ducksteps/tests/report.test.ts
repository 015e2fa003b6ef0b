// The HTML run report, opened in a real headless Chromium (Debian's package, driven by playwright-core).
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, readCsv } from './helpers.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p && existsSync(p),
);
const skip = CHROMIUM ? false : 'no Chromium here: apt-get install chromium (.ci/run installs it when it runs as root)';

const PROJECT = {
  sql: {
    '01_people': {
      'a.sql': 'CREATE OR REPLACE TABLE people AS SELECT range AS id, range % 90 AS age FROM range(1000);',
    },
    '02_stats': {
      'a.sql':
        'CREATE OR REPLACE TABLE stats AS SELECT age, count(*) AS n FROM people GROUP BY age;\nCREATE OR REPLACE TABLE top AS SELECT * FROM stats ORDER BY n DESC LIMIT 5;',
    },
    '03_final': { 'a.sql': 'CREATE OR REPLACE TABLE final AS SELECT count(*) AS ages FROM stats;' },
  },
  tests: {
    'ages.sql':
      '-- name: ages_known\nSELECT * FROM stats WHERE age IS NULL;\n-- name: few_old\n-- severity: warn\nSELECT * FROM people WHERE age > 85;',
    unit: {
      '02_stats.yaml':
        'counts_per_age:\n  given:\n    people: |\n      id, age\n      1,  30\n      2,  30\n  expect:\n    stats: |\n      age, n\n      30,  2\n',
    },
  },
};

t.test(
  'every run writes logs/report.html; it opens offline in Chromium with its charts, steps and numbers',
  { skip, timeout: 240_000 },
  async (t) => {
    const dir = project(t, undefined, PROJECT);
    t.equal((await cli(dir)).exitCode, 0);
    const run = await cli(dir);
    t.equal(run.exitCode, 0);
    t.match(run.stdout, /\n✔ ok in .*, report: logs\/report\.html\n?$/, 'the console says where the report is');
    const html = join(dir, 'logs/report.html');
    t.ok(statSync(html).size > 1_000_000, 'one self-contained file: the libraries are inlined');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const offline: string[] = [];
    await page.route('**/*', (route) => {
      if (!route.request().url().startsWith('file:')) offline.push(route.request().url());
      return route.request().url().startsWith('file:') ? route.continue() : route.abort();
    });
    await page.goto(`file://${html}`);
    await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
    t.equal(await page.getAttribute('body', 'data-ready'), 'yes', 'every chart and the lineage drew');
    t.same(errors, [], 'no console errors');
    t.same(offline, [], 'nothing is fetched from the network');
    for (const step of ['01_people', '02_stats', '03_final'])
      t.match(await page.textContent('#steps'), step, `${step} in the steps table`);
    for (const chart of ['#timeline', '#trend-duration', '#trend-rows', '#resources']) {
      t.ok(
        await page.$eval(`${chart} svg`, (svg) => svg.querySelectorAll('path, rect, line').length > 3),
        `${chart} drew`,
      );
    }
    t.ok(await page.$eval('.mermaid svg', (svg) => svg.querySelectorAll('g').length > 3), 'the lineage flowchart drew');
    const log = await readCsv(join(dir, 'logs/run_log.csv'));
    const latest = log.filter((r) => r.run_id === log.at(-1)!.run_id && /^\d/.test(String(r.step)));
    const shown = await page.$$eval('#steps [data-ms]', (cells) => cells.map((c) => Number(c.getAttribute('data-ms'))));
    t.same(
      shown,
      latest.map((r) => Number(r.duration_ms)),
      'durations match run_log.csv',
    );
    t.match(await page.textContent('#run-id'), String(latest[0].run_id));
    t.match(await page.textContent('#tests'), /few_old[\s\S]*warn/);
    t.match(
      await page.textContent('#unit-tests'),
      /02_stats › counts_per_age[\s\S]*tests\/unit\/02_stats\.yaml:1[\s\S]*pass/,
      'the unit tests run before the steps are shown',
    );
    await page.screenshot({ path: join(dir, 'logs/report.png'), fullPage: true });
    t.ok(statSync(join(dir, 'logs/report.png')).size > 10_000, 'a screenshot for a reviewer: logs/report.png');
  },
);

t.test(
  'names from the project reach the lineage drawing as text: no <img> or <form> of theirs renders',
  { skip, timeout: 240_000 },
  async (t) => {
    const dir = project(t, undefined, {
      sql: {
        '01_evil': {
          'a.sql':
            'CREATE TABLE "<img src=x onerror=window.pwned=1>" AS SELECT 1 AS x;\nCREATE TABLE "<form action=https://example.invalid><input name=q>" AS SELECT 2 AS y;',
        },
      },
      tests: {
        'evil.sql':
          '-- name: <img src=y onerror=window.pwned=2><form><input name=p></form>\nSELECT * FROM "<img src=x onerror=window.pwned=1>" WHERE x < 0;',
      },
    });
    t.equal((await cli(dir)).exitCode, 0);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(`file://${join(dir, 'logs/report.html')}`);
    await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
    t.equal(await page.getAttribute('body', 'data-ready'), 'yes', 'the lineage drew');
    t.equal(
      await page.$$eval('.mermaid img, .mermaid form, .mermaid input', (found) => found.length),
      0,
      'no element of the names rendered',
    );
    t.equal(
      await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned),
      undefined,
      'no handler ran',
    );
    const text = await page.$eval('.mermaid svg', (svg) => svg.textContent ?? '');
    t.match(text, '<img src=x onerror=window.pwned=1>', 'the table name is shown as text');
    t.match(text, '<img src=y onerror=window.pwned=2><form>', 'the assertion name is shown as text');
  },
);

t.test('./run.sh report writes the report from the logs alone; with no run yet it says so', async (t) => {
  const dir = project(t, undefined, PROJECT);
  const none = await cli(dir, ['report']);
  t.equal(none.exitCode, 0);
  t.match(none.stdout, /no runs in logs\/run_log\.csv yet/);
  await cli(dir);
  const again = await cli(dir, ['report']);
  t.match(again.stdout, 'report: logs/report.html');
  t.ok(existsSync(join(dir, 'logs/report.html')));
});

t.test(
  "a run that fails before its first step becomes the report's latest run (failed, with why); ./run.sh report works",
  async (t) => {
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
      data: { landing: {} },
      sql: { '01_load': { 'a.sql': '-- ducksteps: incremental\nSELECT 1;' } },
    });
    t.equal((await cli(dir)).exitCode, 0);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ducksteps: { inputs: { ev: 'data/nowhere/*.csv' } } }));
    const failed = await cli(dir);
    t.equal(failed.exitCode, 2);
    t.notMatch(failed.stderr, /could not be written|Invalid time value/);
    const runId = (await readCsv(join(dir, 'logs/run_log.csv'))).at(-1)!.run_id;
    const html = readFileSync(join(dir, 'logs/report.html'), 'utf8');
    t.match(
      html,
      `<span id="run-id">${runId}</span> <span class="badge failed">failed</span>`,
      'the report shows the failed run',
    );
    t.match(html, /id="run-error"[^>]*>input ev: the folder data\/nowhere does not exist/);
    const report = await cli(dir, ['report']);
    t.equal(report.exitCode, 0, report.stderr);
    t.equal(report.stderr, '', 'no stack trace');
  },
);

t.test(
  "the report is written under a temporary name of its own: another writer's temporary file is not in the way",
  async (t) => {
    const dir = project(t, undefined, PROJECT);
    mkdirSync(join(dir, 'logs/report.html.tmp'), { recursive: true }); // what another run's writer could hold
    const run = await cli(dir);
    t.equal(run.exitCode, 0);
    t.notMatch(run.stderr, /could not be written/);
    t.ok(statSync(join(dir, 'logs/report.html')).isFile());
  },
);

t.test('watch says when the report of a micro-batch cannot be written (it is not swallowed)', async (t) => {
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
    data: { landing: { 'a.csv': 'k\n1\n' } },
    sql: {
      '01_load': {
        'a.sql':
          '-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS t AS SELECT 1 AS k WHERE false;\nINSERT INTO t SELECT * FROM read_csv({{ batch.files.ev }}, header = true);',
      },
    },
  });
  mkdirSync(join(dir, 'logs/report.html'), { recursive: true }); // a folder where the report goes: it cannot be written
  const child = cli(dir, ['watch', '--max-wait', '200ms']);
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => String(d).includes('micro-batch 1:') && resolve()),
  );
  child.kill('SIGINT');
  const done = await child;
  t.equal(done.exitCode, 130);
  t.match(done.stderr, /ducksteps: the HTML report could not be written: /);
});
