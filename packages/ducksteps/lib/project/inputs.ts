// The declared landing inputs ("ducksteps"."inputs") and the store they make with the archive: which files
// each input holds now — in its landing folder, or in its archive folder, mapped back to the landing path
// that is the file's name in the ledger — and where a loaded file goes when it is archived.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { ConfigError } from '../errors.js';
import type { Settings } from '../model.js';

/** A file of an input's store, as found on disk (not yet hashed). */
export interface FoundFile {
  readonly input: string;
  readonly path: string; // its name in the ledger: the landing path, project-relative (absolute when the glob is), '/'-separated
  readonly at: string; // where it is now: `path` in landing, or its archive path
  readonly size: number;
  readonly mtimeMs: number;
}

/** What the inputs hold now; `badNames`: files whose name is not valid UTF-8 (no program can open them by it). */
export interface Store {
  readonly files: readonly FoundFile[];
  readonly badNames: ReadonlyArray<{ readonly input: string; readonly at: string }>;
}

/** Files still being written by the rename-into-place convention, and editors' leftovers: never matched. */
export const IN_PROGRESS = ['**/*.tmp', '**/*.part', '**/*.partial', '**/*.crdownload', '**/*~'];

/** The folder a glob's files live under: the path up to its first wildcard segment. */
export function baseOf(glob: string): string {
  const parts = glob.split('/');
  const first = parts.findIndex((p) => /[*?[\]{}!]/.test(p));
  return (first < 0 ? parts.slice(0, -1) : parts.slice(0, first)).join('/') || (glob.startsWith('/') ? '/' : '.');
}

/** The glob below its folder: what is matched inside baseOf(glob) (and inside the input's archive folder). */
export const restOf = (glob: string): string => {
  const base = baseOf(glob);
  return base === '.' ? glob : glob.slice(base.length).replace(/^\/+/, '');
};

/** The folder archived files of `input` go to: <archive>/<input>. */
/** A store file as messages name it: where it is now (`at`), in landing or in the archive (its ledger path). */
export const storeFile = (path: string, at: string = path): string =>
  `${at === path ? 'landing' : 'archived'} file ${at}`;

export const archiveFolder = (archive: string, input: string): string => posix.join(archive, input);

/** Where a loaded file of `input` is kept once archived: <archive>/<input>/<path below the glob's folder>. */
export function archivePath(
  archive: string,
  inputs: Readonly<Record<string, string>>,
  input: string,
  path: string,
): string {
  const base = baseOf(inputs[input] ?? '');
  const below = base === '.' ? path : posix.relative(base, path);
  return posix.join(archiveFolder(archive, input), below);
}

const join = (folder: string, rel: string) => (folder === '.' ? rel : posix.join(folder, rel));
/** Whether absolute `path` is `folder` or below it (any platform's separators). */
const inside = (path: string, folder: string) => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Matches of `pattern` under `folder` as [path relative to folder, absolute path]. */
function matches(root: string, folder: string, pattern: string): Array<[string, string]> {
  const cwd = resolve(root, folder);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) return [];
  const found = globSync(pattern, {
    cwd,
    onlyFiles: true,
    dot: false,
    ignore: IN_PROGRESS,
    expandDirectories: false,
    followSymbolicLinks: true,
  });
  return found
    .map((rel) => rel.split('\\').join('/'))
    .sort()
    .map((rel) => [rel, resolve(cwd, rel)]);
}

interface Candidate {
  readonly path: string;
  readonly at: string;
  readonly abs: string;
}

/** The files of one input: landing first (a path in landing and in the archive is its landing copy), each
 * real file once (a symlink loop or a second link to it is the same file: its own path wins, else the
 * first), not-UTF-8 names set aside. */
function scanInput(root: string, settings: Settings, input: string, bad: Map<string, string>): FoundFile[] {
  const glob = settings.inputs[input];
  const base = baseOf(glob);
  const archive = settings.archive && resolve(root, settings.archive);
  const folder = settings.archive ? archiveFolder(settings.archive, input) : undefined;
  const landing: Candidate[] = matches(root, base, restOf(glob))
    .map(([rel, abs]) => ({ path: join(base, rel), at: join(base, rel), abs }))
    .filter((f) => !archive || !inside(f.abs, archive)); // an archive inside the landing folder is not landing
  const archived: Candidate[] = folder
    ? matches(root, folder, restOf(glob)).map(([rel, abs]) => ({ path: join(base, rel), at: join(folder, rel), abs }))
    : [];
  const chosen = new Map<string, { file: FoundFile; own: boolean }>(); // real path -> the file kept for it
  const paths = new Set<string>();
  for (const f of [...landing, ...archived]) {
    if (paths.has(f.path)) continue;
    let real: string;
    let stat;
    try {
      stat = statSync(f.abs);
      real = realpathSync(f.abs);
    } catch {
      if (f.abs.includes('\uFFFD')) bad.set(f.at, input); // the name did not decode: it cannot be opened by it
      continue; // else gone since the listing (moved by someone else), or a dangling link: not a file now
    }
    const own = real === f.abs;
    const kept = chosen.get(real);
    if (kept && (kept.own || !own)) continue; // a second way to a file already taken
    if (kept) paths.delete(kept.file.path);
    paths.add(f.path);
    chosen.set(real, { own, file: { input, path: f.path, at: f.at, size: stat.size, mtimeMs: stat.mtimeMs } });
  }
  return [...chosen.values()].map((c) => c.file);
}

/** A missing landing folder is a configuration error (with `missingOk`, an input with no files: `list`
 * before the step that creates the folder has run). */
function checkFolder(root: string, input: string, glob: string, missingOk: boolean): boolean {
  const base = baseOf(glob);
  if (existsSync(resolve(root, base)) && statSync(resolve(root, base)).isDirectory()) return true;
  if (missingOk) return false;
  throw new ConfigError(`input ${input}: the folder ${base} does not exist (glob ${glob})`, {
    file: 'package.json',
    hint: `create it (mkdir -p ${base}) or fix "ducksteps"."inputs"."${input}"`,
  });
}

/** Every file the inputs hold now — landing ∪ archive — sorted by path. A file two inputs match is a
 * configuration error: it would be loaded twice. */
export function scanStore(root: string, settings: Settings, missingOk = false): Store {
  const bad = new Map<string, string>();
  const owner = new Map<string, string>();
  const files: FoundFile[] = [];
  for (const [input, glob] of Object.entries(settings.inputs)) {
    if (!checkFolder(root, input, glob, missingOk)) continue;
    for (const file of scanInput(root, settings, input, bad)) {
      const key = isAbsolute(file.path) ? file.path : resolve(root, file.path);
      const other = owner.get(key);
      if (other !== undefined) {
        throw new ConfigError(
          `${file.path} is matched by two inputs, ${other} (${settings.inputs[other]}) and ${input} (${glob})`,
          {
            file: 'package.json',
            hint: "make the inputs' globs match different files (a file belongs to one input), e.g. give each input its own folder",
          },
        );
      }
      owner.set(key, input);
      files.push(file);
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, badNames: [...bad].sort().map(([at, input]) => ({ input, at })) };
}
