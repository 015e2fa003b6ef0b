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

const MAX_CELLS = 4_000_000;

/** Longest common subsequence of lines: pairs [renderedIndex, sourceIndex] of identical lines, in order. */
function commonLines(source: readonly string[], rendered: readonly string[]): Array<[number, number]> {
  const n = rendered.length;
  const m = source.length;
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] =
        rendered[i] === source[j]
          ? table[(i + 1) * width + j + 1] + 1
          : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const pairs: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (rendered[i] === source[j]) pairs.push([i++, j++]);
    else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) i++;
    else j++;
  }
  return pairs;
}

/**
 * For each rendered line (0-based index), the 1-based source line it came from.
 * Unchanged lines anchor the mapping; the lines between two anchors (expressions, blocks,
 * macro expansions) map in order onto the source lines between them, the last one absorbing any surplus.
 */
export function mapRenderedLines(sourceText: string, renderedText: string): number[] {
  const source = sourceText.split('\n').map((l) => l.trimEnd());
  const rendered = renderedText.split('\n').map((l) => l.trimEnd());
  if (source.length * rendered.length > MAX_CELLS) {
    return rendered.map((_, i) => Math.min(i + 1, source.length));
  }
  const anchors = commonLines(source, rendered);
  anchors.push([rendered.length, source.length]);
  const map: number[] = [];
  let prevR = -1;
  let prevS = -1;
  for (const [r, s] of anchors) {
    const gapSource = s - prevS - 1;
    for (let k = prevR + 1; k < r; k++) {
      const offset = Math.min(k - prevR - 1, Math.max(gapSource - 1, 0));
      map[k] = Math.min(prevS + 1 + offset, source.length - 1) + 1;
    }
    if (r < rendered.length) map[r] = s + 1;
    prevR = r;
    prevS = s;
  }
  return map;
}
