// doctor's check of the inputs: how old each input's newest file is against its "freshness" thresholds — the
// same answer a run would act on before its steps (incremental/freshness.ts).
import { formatAge, freshnessLine, freshnessOf } from '../incremental/freshness.js';
import type { Settings } from '../model.js';
import type { InputFreshness } from '../results.js';
import { error, fromError, ok, warning, type Check } from './check.js';

const summary = (f: InputFreshness) =>
  f.ageMs === undefined ? `${f.input}: no file yet` : `${f.input}: newest file ${formatAge(f.ageMs)} old`;

/** One check for the inputs (none when the project declares no input). */
export async function inputsCheck(root: string, settings: Settings): Promise<Check[]> {
  if (Object.keys(settings.inputs).length === 0) return [];
  try {
    const states = await freshnessOf(root, settings);
    const failing = states.filter((f) => f.status === 'error' || (f.status === 'none' && f.errorAfterMs !== undefined));
    const late = states.filter((f) => f.status === 'warn');
    const fix = (f: InputFreshness) =>
      `check the delivery into ${f.glob}; ./run.sh --ignore-freshness runs anyway (docs/observability.md)`;
    if (failing.length > 0) return [error('inputs', failing.map(freshnessLine).join('; '), fix(failing[0]))];
    if (late.length > 0) return [warning('inputs', late.map(freshnessLine).join('; '), fix(late[0]))];
    return [ok('inputs', states.map(summary).join(', '))];
  } catch (e) {
    return [fromError('inputs', e)];
  }
}
