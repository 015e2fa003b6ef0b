// Secret-looking environment values reach the SQL that runs, but never the logs, compiled SQL or console.
import type { StepError } from '../model.js';
import type { StepOutcome } from '../results.js';

export const SECRET_NAME = /TOKEN|PASSWORD|PASSWD|SECRET|KEY/i;
const secrets = new Set<string>();

/** Remembers the value of an environment variable whose name looks secret. */
export function noteSecret(name: string, value: string): void {
  if (SECRET_NAME.test(name) && value.length >= 3) secrets.add(value);
}

/** The text with every remembered secret value replaced by ***. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

const maskError = (e?: StepError): StepError | undefined =>
  e && { ...e, message: maskSecrets(e.message), statement: e.statement && maskSecrets(e.statement) };

/** A step outcome safe to log and print. */
export function maskOutcome(outcome: StepOutcome): StepOutcome {
  if (secrets.size === 0) return outcome;
  return {
    ...outcome,
    error: maskError(outcome.error),
    statements: outcome.statements.map((s) => ({ ...s, text: maskSecrets(s.text), error: s.error && maskSecrets(s.error) })),
  };
}
