// The declared landing inputs ("ducksteps"."inputs"): which files each glob matches now, and where a
// loaded file goes when it is archived.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { globSync } from 'tinyglobby';
import { BatchError, ConfigError } from '../errors.js';

/** A file an input's glob matches, as found on disk (not yet hashed). */
export interface FoundFile {
  readonly input: string;
  readonly path: string; // project-relative (or absolute when the glob is), '/'-separated
  readonly size: number;
  readonly mtimeMs: number;
}

/** Files still being written by the rename-into-place convention, and editors' leftovers: never matched. */
const IN_PROGRESS = ['**/*.tmp', '**/*.part', '**/*.partial', '**/*.crdownload', '**/*~'];

/** The folder a glob's files live under: the path up to its first wildcard segment. */
export function baseOf(glob: string): string {
  const parts = glob.split('/');
  const first = parts.findIndex((p) => /[*?[\]{}!]/.test(p));
  return (first < 0 ? parts.slice(0, -1) : parts.slice(0, first)).join('/') || '.';
}

/** Every file the inputs match now, sorted by path; a missing input folder is a configuration error (or,
 * with `missingOk`, an input with no files: `list` before the step that creates the folder has run). */
export function scanInputs(root: string, inputs: Readonly<Record<string, string>>, missingOk = false): FoundFile[] {
  const found: FoundFile[] = [];
  for (const [input, glob] of Object.entries(inputs)) {
    const base = baseOf(glob);
    if (!existsSync(join(root, base)) || !statSync(join(root, base)).isDirectory()) {
      if (missingOk) continue;
      throw new ConfigError(`input ${input}: the folder ${base} does not exist (glob ${glob})`, {
        file: 'package.json', hint: `create it (mkdir -p ${base}) or fix "ducksteps"."inputs"."${input}"`,
      });
    }
    const paths = globSync(glob, { cwd: root, onlyFiles: true, dot: false, ignore: IN_PROGRESS, expandDirectories: false });
    for (const path of paths.sort()) {
      const stat = statSync(join(root, path));
      found.push({ input, path: path.split('\\').join('/'), size: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Where a loaded file of `input` is kept once archived: <archive>/<input>/<path below the glob's folder>. */
export function archivePath(archive: string, inputs: Readonly<Record<string, string>>, input: string, path: string): string {
  const base = baseOf(inputs[input] ?? '');
  const below = base === '.' ? path : posix.relative(base, path);
  return posix.join(archive, input, below);
}

/** SHA-256 of a file, read as a stream; an unreadable file is a clear error naming it. */
export async function sha256Of(root: string, path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(join(root, path))) hash.update(chunk as Buffer);
  } catch (cause) {
    throw new BatchError(`cannot read landing file ${path} (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
      cause, hint: 'check its permissions (the run user must be able to read it); it stays pending until it can be read',
    });
  }
  return hash.digest('hex');
}
