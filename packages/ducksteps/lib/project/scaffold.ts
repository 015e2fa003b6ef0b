// `new`: the next-numbered step folder with a starter SQL file (and a script from a template).
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Project } from '../model.js';

const NAME = /^[a-z][a-z0-9_]*$/;
const MAX_NAME = 60;

/** Creates sql/NN_name/01_main.sql (and steps/NN_name.ts); returns the created paths. */
export function scaffoldStep(project: Project, name: string, withScript: boolean): string[] {
  if (!NAME.test(name) || name.length > MAX_NAME) {
    const shown = name.length > MAX_NAME ? `${name.slice(0, 20)}… (${name.length} characters)` : name;
    throw new UsageError(`step name "${shown}" is not valid`, {
      hint: `start with a letter, then lower-case letters, digits and _, at most ${MAX_NAME} characters (e.g. daily_report); the number is added for you`,
    });
  }
  const clash = project.steps.find((s) => s.name === name);
  if (clash)
    throw new UsageError(`a step named "${name}" already exists: ${clash.dir}`, { hint: 'choose another name' });
  const next = Math.max(0, ...project.steps.map((s) => s.number)) + 1;
  const width = Math.max(2, ...project.steps.map((s) => s.id.indexOf('_')), String(next).length);
  const id = `${String(next).padStart(width, '0')}_${name}`;
  const dir = `sql/${id}`;
  mkdirSync(join(project.root, dir), { recursive: true });
  const created = [`${dir}/01_main.sql`];
  writeFileSync(
    join(project.root, created[0]),
    `-- ${name}: describe what this step builds (the first comment line is its description).\nCREATE OR REPLACE TABLE "${name}" AS\nSELECT 1 AS id;\n`,
  );
  if (withScript) {
    const script = `steps/${id}.ts`;
    mkdirSync(join(project.root, 'steps'), { recursive: true });
    if (existsSync(join(project.root, script))) throw new UsageError(`${script} already exists`);
    writeFileSync(join(project.root, script), SCRIPT_TEMPLATE);
    created.push(script);
  }
  return created;
}

const SCRIPT_TEMPLATE = `// Runs in this step's worker, inside the step's transaction; remove the hook you do not need.
import type { StepContext } from 'ducksteps';

export async function before(ctx: StepContext): Promise<void> {
  // Runs after BEGIN, before the step's SQL files.
  ctx.log(\`step \${ctx.step.id} starting\`);
}

export async function after(ctx: StepContext): Promise<void> {
  // Runs after the SQL files, before COMMIT. Throwing rolls the whole step back.
  const { rows } = await ctx.db.query('SELECT 1 AS ok');
  ctx.log(\`check: \${rows[0].ok}\`);
}
`;
