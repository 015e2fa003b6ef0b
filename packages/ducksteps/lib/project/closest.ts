// "Did you mean …?": the option nearest to a word a person typed, by edit distance.

/** Levenshtein distance: the single-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]++;
    for (let j = 1; j <= b.length; j++)
      [prev, row[j]] = [row[j], Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))];
  }
  return row[b.length];
}

/** The option closest to `word` (case ignored), if within `most` edits. */
export function closest(word: string, options: readonly string[], most = 3): string | undefined {
  const best = options
    .map((o) => [o, editDistance(word.toLowerCase(), o.toLowerCase())] as const)
    .sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= most ? best[0] : undefined;
}
