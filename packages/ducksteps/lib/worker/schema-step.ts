// The schema side of a step's transaction: the hook that handles declared tables before each statement
// (schema-guard.ts), and before COMMIT the contracts checked and the new schema versions recorded.
import type { Session } from '../engines/engine.js';
import type { StepJob } from '../protocol.js';
import type { SchemaChange } from '../results.js';
import { checkContracts } from './contracts.js';
import { schemaGuard, type SchemaGuard } from './schema-guard.js';
import { recordSchemas } from './schema-ledger.js';

/** Before COMMIT: every contract checked (the step's contract.yaml and -- contract: true declarations), then
 * the declared tables' new schema versions recorded in the ledger. */
export async function schemaAtCommit(session: Session, job: StepJob, guard: SchemaGuard): Promise<SchemaChange[]> {
  const schema = session.schema;
  if (!schema) return [];
  const declared = new Map(
    guard.seen.filter((s) => s.declaration.contract).map((s) => [s.declaration.table, { ...s.declaration, ...s }]),
  ); // a refresh declares its tables once per batch
  const contracts = [
    ...(job.contracts ?? []),
    ...[...declared.values()].map((s) => ({ ...s.declaration, file: s.file, line: s.line })),
  ];
  await checkContracts(schema, contracts, job.readers ?? {});
  const who = { step: job.step.id, runId: job.runId ?? job.ledger?.runId ?? '', batchId: job.ledger?.batch.id };
  return recordSchemas(session.ledger ?? session, schema, guard.seen, who);
}

/** The hook that handles declared tables before each statement (worker/schema-guard.ts). */
export const guardOf = (session: Session, job: StepJob) =>
  schemaGuard(session, {
    policy: job.onSchemaChange ?? 'fail',
    step: job.step.id,
    incremental: job.ledger !== undefined,
    fullRefresh: job.ledger?.batch.fullRefresh ?? false,
    readers: job.readers ?? {},
    contracted: new Set((job.contracts ?? []).map((c) => c.table)),
  });
