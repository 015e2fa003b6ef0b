// Secret environment values reach the SQL that runs, but never the logs, compiled SQL or console. Secret:
// a variable whose name says so (TOKEN, PASSWORD, SECRET, KEY, a connection URL or DSN such as
// DUCKSTEPS_PG_URL), and any password written inside a connection string, whatever the variable's name.
import type { StepError } from '../model.js';
import type { AssertionResult, PublishOutcome, StepOutcome, TestsReport } from '../results.js';
import { connectionPasswords, maskAll } from '../sql/conninfo.js';

export const SECRET_NAME =
  /TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL|(^|_)(URL|URI|DSN|CONN|CONNECTION|CONNSTR)(_|$)/i;
const secrets = new Set<string>();

/** Remembers the value of an environment variable whose name looks secret, and the passwords in any
 * connection string a variable holds. */
export function noteSecret(name: string, value: string): void {
  if (SECRET_NAME.test(name) && value.length >= 3) secrets.add(value);
  for (const password of connectionPasswords(value)) if (password.length >= 3) secrets.add(password);
}

/** The text with every remembered secret value replaced by ***. */
export const maskSecrets = (text: string): string => (secrets.size === 0 ? text : maskAll(text, secrets));

const maskError = (e?: StepError): StepError | undefined =>
  e && {
    ...e,
    message: maskSecrets(e.message),
    statement: e.statement && maskSecrets(e.statement),
    hint: e.hint && maskSecrets(e.hint),
  };

const maskAssertion = (r: AssertionResult): AssertionResult => ({ ...r, error: maskError(r.error) });

/** A step outcome safe to log and print. */
export function maskOutcome(outcome: StepOutcome): StepOutcome {
  if (secrets.size === 0) return outcome;
  return {
    ...outcome,
    error: maskError(outcome.error),
    statements: outcome.statements.map((s) => ({
      ...s,
      text: maskSecrets(s.text),
      error: s.error && maskSecrets(s.error),
    })),
    committed: outcome.committed.map((s) => ({
      ...s,
      text: maskSecrets(s.text),
      error: s.error && maskSecrets(s.error),
    })),
    assertions: outcome.assertions?.map(maskAssertion),
  };
}

/** The assertions' report, safe to log and print. */
export const maskTests = (report: TestsReport): TestsReport =>
  secrets.size === 0
    ? report
    : { ...report, error: maskError(report.error), results: report.results.map(maskAssertion) };

/** A publish outcome, safe to log and print. */
export const maskPublish = (outcome: PublishOutcome): PublishOutcome =>
  secrets.size === 0
    ? outcome
    : { ...outcome, error: maskError(outcome.error), note: outcome.note && maskSecrets(outcome.note) };
