// Maps positions between texts: a character offset to line:column, and rendered lines back to source lines.

/** 1-based line and column of a character offset. */
export function lineColAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Line lookups for many offsets of one text: built once, each lookup a binary search (no rescans). */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

const MAX_CELLS = 2_000_000;
const TAG_ONLY = /^\s*(\{%-?[\s\S]*?-?%\}|\{#[\s\S]*?#\})+\s*$/;
const TEMPLATE_PART = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;

/** How well a rendered line matches a source line: 3 identical, 1 same shape around {{ }}, 0 not. */
type Matcher = (rendered: string) => number;

function matcherFor(source: string): Matcher {
  if (!source.includes('{')) return (r) => (r === source ? 3 : 0);
  const parts = source.split(TEMPLATE_PART).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`^${parts.join('[\\s\\S]*?')}$`);
  return (r) => (r === source ? 3 : pattern.test(r) ? 1 : 0);
}

/** Weighted longest common subsequence: pairs [renderedIndex, candidateIndex], in order. */
function align(rendered: readonly string[], matchers: readonly Matcher[]): Array<[number, number]> {
  const n = rendered.length;
  const m = matchers.length;
  const w = m + 1;
  const score = new Uint32Array((n + 1) * w);
  const hit = new Uint8Array(n * m);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const h = (hit[i * m + j] = matchers[j](rendered[i]));
      score[i * w + j] = Math.max(h ? score[(i + 1) * w + j + 1] + h : 0, score[(i + 1) * w + j], score[i * w + j + 1]);
    }
  }
  const pairs: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    const h = hit[i * m + j];
    if (h && score[i * w + j] === score[(i + 1) * w + j + 1] + h) pairs.push([i++, j++]);
    else if (score[(i + 1) * w + j] >= score[i * w + j + 1]) i++;
    else j++;
  }
  return pairs;
}

/**
 * For each rendered line (0-based index), the 1-based source line it came from. Tag-only source lines
 * ({% if %}, {% endif %}, {% set %}) render to nothing and are left out; other source lines match
 * rendered lines exactly or by their shape around {{ }}; rendered lines left over (the tail of a
 * multi-line macro expansion) belong to the source line matched before them.
 */
export function mapRenderedLines(sourceText: string, renderedText: string): number[] {
  const source = sourceText.split('\n').map((l) => l.trimEnd());
  const rendered = renderedText.split('\n').map((l) => l.trimEnd());
  const candidates = source.map((line, i) => ({ line, number: i + 1 })).filter((c) => !TAG_ONLY.test(c.line));
  if (candidates.length * rendered.length > MAX_CELLS) {
    return rendered.map((_, i) => Math.min(i + 1, source.length));
  }
  const pairs = align(
    rendered,
    candidates.map((c) => matcherFor(c.line)),
  );
  const map: number[] = new Array(rendered.length);
  for (const [r, c] of pairs) map[r] = candidates[c].number;
  let previous = pairs.length > 0 ? candidates[pairs[0][1]].number : 1;
  for (let r = 0; r < rendered.length; r++) {
    if (map[r] === undefined) map[r] = previous;
    previous = map[r];
  }
  return map;
}
