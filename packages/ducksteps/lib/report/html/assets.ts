// The chart and diagram libraries the report inlines (no CDN: the file works offline), read from node_modules.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** node_modules/<path>, looked up from this file's folder upward (package "exports" hide these bundles). */
function vendorFile(path: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', path);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`node_modules/${path} is missing: run ./install.sh`);
  }
}

const LIBRARIES = [
  'vega/build/vega.min.js',
  'vega-lite/build/vega-lite.min.js',
  'vega-embed/build/vega-embed.min.js',
  'mermaid/dist/mermaid.min.js',
];
let libraries: Promise<Buffer> | undefined;

/** A bundle as bytes, safe inside <script>: decoded and escaped only if it contains "</script". */
async function inlineable(path: string): Promise<Buffer> {
  const bytes = await readFile(vendorFile(path));
  const body = /<\/script/i.test(bytes.toString('latin1'))
    ? Buffer.from(bytes.toString('utf8').replace(/<\/script/gi, '<\\/script'))
    : bytes;
  return Buffer.concat([Buffer.from(`<script>/* ${path.split('/')[0]} */\n`), body, Buffer.from('\n</script>\n')]);
}

/** Vega + Vega-Lite + vega-embed (charts from declarative specs) and mermaid (the lineage flowchart), as the
 * bytes of their <script> elements. Read once per process, asynchronously, and never decoded (3.5 MB): a
 * run asks for them as it starts, so they are read while its steps run. */
export function reportLibraries(): Promise<Buffer> {
  libraries ??= Promise.all(LIBRARIES.map(inlineable)).then((parts) => Buffer.concat(parts));
  libraries.catch(() => undefined); // a caller that never awaits must not see an unhandled rejection
  return libraries;
}
