// Which input a single path belongs to, without listing any folder: `watch` asks this for each file event
// (a burst of thousands of files must not list the folder thousands of times).
import picomatch from 'picomatch';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Settings } from '../model.js';
import { IN_PROGRESS, baseOf, restOf } from './inputs.js';

/** A function from an absolute path to [input, path as the ledger names it], or undefined when no input
 * matches it (or it is in the archive, still being written, or a dotfile). */
export function inputMatcher(root: string, settings: Settings): (absolute: string) => [string, string] | undefined {
  const archive = settings.archive && resolve(root, settings.archive);
  const tests = Object.entries(settings.inputs).map(([input, glob]) => {
    const base = baseOf(glob);
    return {
      input,
      base,
      folder: resolve(root, base),
      match: picomatch(restOf(glob), { dot: false, ignore: IN_PROGRESS }),
    };
  });
  return (absolute) => {
    if (archive && !relative(archive, absolute).startsWith('..') && !isAbsolute(relative(archive, absolute)))
      return undefined;
    for (const t of tests) {
      const rel = relative(t.folder, absolute).split(sep).join('/');
      if (rel.startsWith('..') || !t.match(rel)) continue;
      return [t.input, t.base === '.' ? rel : `${t.base.replace(/\/$/, '')}/${rel}`];
    }
    return undefined;
  };
}
