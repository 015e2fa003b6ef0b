// The report page: one self-contained HTML file (styles, data, libraries and script inlined).
import { PAGE_SCRIPT } from './page-script.js';
import { formatCount as count } from '../tables.js';
import { formatAge } from '../../incremental/freshness.js';
import type { ReportData } from './report-data.js';

const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function table(head: string[], rows: unknown[][], id?: string): string {
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table${id ? ` id="${id}"` : ''}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

const badge = (status: string) =>
  `<span class="badge ${esc(status.replace(/[^A-Za-z0-9]+/g, '-'))}">${esc(status)}</span>`;

function stepsSection(d: ReportData): string {
  const rows = d.steps.map((s) => [
    `<span class="step-name">${esc(s.label)}</span>`,
    badge(String(s.status)),
    `<span data-ms="${s.ms}">${seconds(Number(s.ms))}</span>`,
    count(Number(s.rows)),
    count(Number(s.statements)),
    s.peakMb === null ? '' : `${count(Number(s.peakMb))} MB`,
    s.cpuMs === null ? '' : `${count(Number(s.cpuMs))} ms`,
    esc(s.error),
  ]);
  const details = d.steps
    .filter((s) => Number(s.statements) > 0)
    .map((s) => {
      const mine = d.statements.filter((x) => x.step === s.step && String(x.batch) === String(s.batch ?? ''));
      return `<details><summary>${esc(s.label)}: ${mine.length} statements</summary>${table(
        ['where', 'kind', 'duration', 'rows', 'statement'],
        mine.map((x) => [
          esc(x.where),
          esc(x.kind),
          seconds(Number(x.ms)),
          count(Number(x.rows)),
          `<code>${esc(x.statement)}</code>`,
        ]),
      )}</details>`;
    })
    .join('');
  return `<section><h2>Steps</h2><div id="timeline" class="chart"></div>${table(['step', 'status', 'duration', 'rows', 'statements', 'peak memory', 'CPU time', 'error'], rows, 'steps')}${details}</section>`;
}

function testsSection(d: ReportData): string {
  if (d.tests.length === 0) return '<section><h2>Assertions</h2><p>none ran</p></section>';
  const failures = d.failures
    .map(
      (f) =>
        `<h3>${esc(f.test)}: ${count(f.total)} offending row${f.total === 1 ? '' : 's'}</h3>${table(
          f.columns,
          f.rows.map((r) => r.map(esc)),
        )}${f.total > f.rows.length ? `<p class="more">(${count(f.total - f.rows.length)} more in logs/test_failures/)</p>` : ''}`,
    )
    .join('');
  return `<section><h2>Assertions</h2>${table(
    ['assertion', 'where', 'gated step', 'severity', 'status', 'rows', 'duration'],
    d.tests.map((t) => [
      esc(t.test),
      esc(t.where),
      esc(t.step || 'after the steps'),
      esc(t.severity),
      badge(String(t.status)),
      count(Number(t.rows)),
      seconds(Number(t.ms)),
    ]),
    'tests',
  )}${failures}</section>`;
}

function unitSection(d: ReportData): string {
  if (d.unitTests.length === 0) return '';
  const rows = d.unitTests.map((u) => [
    esc(u.test),
    esc(u.where),
    badge(String(u.status)),
    count(Number(u.rows)),
    seconds(Number(u.ms)),
    esc(u.error),
  ]);
  const diffs = d.unitTests
    .filter((u) => u.diff)
    .map((u) => `<h3>${esc(u.test)}</h3><pre><code>${esc(u.diff)}</code></pre>`)
    .join('');
  return `<section><h2>Unit tests</h2>${table(['unit test', 'where', 'status', 'rows differing', 'duration', 'error'], rows, 'unit-tests')}${diffs}</section>`;
}

const age = (s: unknown) => (s === null || s === undefined ? '-' : formatAge(Number(s) * 1000));

function inputsSection(d: ReportData): string {
  if (d.inputs.length === 0) return '';
  const rows = d.inputs.map((i) => [
    esc(i.input),
    badge(i.status === 'pass' ? 'fresh' : i.status === 'none' ? 'no file' : `late: ${i.status}`),
    `<code>${esc(i.newest ?? '-')}</code>`,
    esc(i.arrived ?? '-'),
    age(i.ageS),
    age(i.warnS),
    age(i.errorS),
  ]);
  return `<section><h2>Inputs</h2><p class="meta">How old each input's newest file was when the run started (its thresholds: package.json "inputs").</p>${table(['input', 'freshness', 'newest file', 'arrived', 'age', 'warn after', 'error after'], rows, 'inputs')}</section>`;
}

/** Pick a column, see where it comes from (the page script draws the path; this is its frame). */
function columnsSection(d: ReportData): string {
  const options = Object.entries(d.columns).flatMap(([table, t]) =>
    t.columns.map((c) => `<option value="${esc(`${table}.${c.name}`)}">${esc(`${table}.${c.name}`)}</option>`),
  );
  if (options.length === 0) return '';
  const unresolved = Object.entries(d.columns).flatMap(([table, t]) =>
    t.unresolved.map((u) => `<li><code>${esc(table)}</code>: ${esc(u)}</li>`),
  );
  return `<section><h2>Column lineage</h2><p class="meta">Pick a column to see the columns it comes from, down to the landing files (from the steps' SQL, parsed by DuckDB; <i>identity</i>: copied, <i>transformation</i>: computed, <i>aggregation</i>: aggregated).</p>
<select id="column-pick">${options.join('')}</select><div id="column-path"></div>${unresolved.length ? `<details><summary>not resolved (${unresolved.length})</summary><ul id="column-unresolved">${unresolved.join('')}</ul></details>` : ''}</section>`;
}

function slowestSection(d: ReportData): string {
  const slow = [...d.statements].sort((a, b) => Number(b.ms) - Number(a.ms)).slice(0, 10);
  return `<section><h2>Slowest statements</h2>${table(
    ['duration', 'step', 'where', 'kind', 'statement'],
    slow.map((s) => [
      seconds(Number(s.ms)),
      esc(s.step),
      `<code>${esc(s.where)}</code>`,
      esc(s.kind),
      `<code>${esc(s.statement)}</code>`,
    ]),
  )}</section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#fff;border-bottom:1px solid #d0d7de;padding:16px 28px}h1{font-size:20px;margin:0 0 6px}main{padding:8px 28px 40px;max-width:1200px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 18px;margin:16px 0}h2{font-size:16px;margin:4px 0 10px}h3{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa;font-weight:600}
code{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}.chart{width:100%;margin:6px 0 10px}.meta{color:#57606a}.meta b{color:#1f2328}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;background:#eaeef2}.badge.ok,.badge.pass,.badge.up-to-date{background:#dafbe1;color:#116329}
.badge.fresh{background:#dafbe1;color:#116329}.badge.failed,.badge.fail,.badge.error,.badge.late-error,.badge.no-file{background:#ffebe9;color:#a40e26}.badge.warn,.badge.late-warn,.badge.interrupted,.badge.timed-out{background:#fff8c5;color:#7d4e00}
#column-path ul{list-style:none;padding-left:18px;margin:2px 0;border-left:1px dotted #d0d7de}#column-path .how{color:#57606a;font-size:12px}details{margin:4px 0}summary{cursor:pointer;color:#0969da}.more{color:#57606a}.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}`;

/** The whole page for a run, as the text before and after its inlined libraries (assets.ts: 3.5 MB of
 * bytes, never decoded); `lineage` is the Mermaid flowchart text (or undefined when it cannot be drawn). */
export function reportPage(d: ReportData, lineage?: string): [before: string, after: string] {
  const vars =
    Object.entries(d.vars)
      .map(([k, v]) => `${esc(k)}=${esc(v)}`)
      .join(', ') || 'none';
  const batch = d.batches.count
    ? `${d.batches.count} batch${d.batches.count === 1 ? '' : 'es'}, ${count(d.batches.files)} files, ${count(d.batches.rows)} rows`
    : 'no batch';
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ducksteps run ${esc(d.runId)}</title><style>${STYLE}</style></head>
<body><header><h1>ducksteps run <span id="run-id">${esc(d.runId)}</span> ${badge(d.status)}</h1>${d.error ? `<p id="run-error" class="meta">${esc(d.error)}</p>` : ''}
<div class="meta"><b>started</b> ${esc(d.startedAt || '-')} · <b>duration</b> <span id="run-duration">${seconds(d.durationMs)}</span> · <b>batches</b> ${batch} · <b>vars</b> ${vars}${d.command ? ` · <b>command</b> <code>${esc(d.command)}</code>` : ''}</div></header>
<main>${stepsSection(d)}
<section><h2>Trends over the last runs (latest marked)</h2><div class="two"><div id="trend-duration" class="chart"></div><div id="trend-rows" class="chart"></div></div></section>
<section><h2>Peak memory and CPU time per step</h2><p class="meta">Each step is its own process: these are that process's peak resident memory and CPU time (labels).</p><div id="resources" class="chart"></div></section>
${inputsSection(d)}${unitSection(d)}${slowestSection(d)}${testsSection(d)}
${
  d.publish.length
    ? `<section><h2>Publish</h2>${table(
        ['target', 'status', 'rows', 'bytes', 'duration'],
        d.publish.map((p) => [
          esc(p.target),
          badge(String(p.status)),
          count(Number(p.rows)),
          count(Number(p.bytes)),
          seconds(Number(p.ms)),
        ]),
      )}</section>`
    : ''
}
${columnsSection(d)}
<section><h2>Lineage</h2>${lineage ? `<pre class="mermaid">${esc(lineage)}</pre>` : '<p>the lineage could not be drawn (a step does not render)</p>'}</section>
</main><script type="application/json" id="report-data">${JSON.stringify(d).replace(/</g, '\\u003c')}</script>
`,
    `<script>${PAGE_SCRIPT}</script></body></html>`,
  ];
}
