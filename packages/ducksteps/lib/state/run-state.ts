// One run's view of what changed (docs/internals.md, "Change-aware skip"): what the warehouse recorded (read
// once, with the batch ledger, by one worker), the versions this run's steps wrote since, whether something
// other than ducksteps wrote the warehouse, and, for each step about to run, whether it is up to date and what
// its transaction records. On an engine that records no changes (engines/traits.ts) nothing is recorded or skipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseStamp, fileStamps, type RecordedState, type StepStateJob } from '../changes.js';
import { traitsOf } from '../engines/traits.js';
import { BatchError } from '../errors.js';
import type { Ledger, ProjectLineage, RenderedFile, Settings, Step } from '../model.js';
import type { WorkerPool } from '../processes/pool.js';
import type { StepOutcome } from '../results.js';
import { connectionOf, pipelineOf } from '../project/pipeline.js';
import { warehouseOf } from '../warehouse.js';
import { decide } from './decide.js';
import { scriptsDigest, scriptWord, stepFingerprint } from './fingerprint.js';
import { stepDependencies, type StepDependencies } from './inputs.js';
import { keepLocalRecord, keepStamp, localRecords, recordedStamp } from './records.js';

/** What the ledger job read: the batch ledger and the recorded state. */
export interface WarehouseRead {
  readonly ledger: Ledger;
  readonly state: RecordedState;
}

/** What a run's state needs from the run. */
export interface RunStateOptions {
  readonly root: string;
  readonly settings: Settings;
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly lineage?: ProjectLineage;
  readonly scripts: ReadonlyMap<string, string>;
}

const INPUTS_EXPORT = /\bexport\s+(?:async\s+)?(?:function\s+inputs\b|const\s+inputs\b)|\bexport\s*\{[^}]*\binputs\b/;

export class RunState {
  readonly pipeline: string;
  /** Why nothing is taken as unchanged in this run (a write from outside ducksteps, --recheck, an engine that records no changes). */
  distrust?: string;
  private readonly versions: Record<string, string> = {};
  private read?: Promise<WarehouseRead>;
  private first?: Promise<RecordedState>;
  private expect?: string;
  private readonly file?: string;
  private digest?: string;
  private readonly deps = new Map<string, StepDependencies>();

  constructor(private readonly o: RunStateOptions) {
    this.pipeline = pipelineOf(o.root).name;
    const warehouse = warehouseOf(o.root, o.settings);
    if (warehouse.engine === 'duckdb') {
      this.file = warehouse.path;
      this.expect = recordedStamp(o.root, warehouse.path);
      const now = existsSync(warehouse.path) ? databaseStamp(warehouse.path) : undefined;
      if (now !== undefined && now !== this.expect)
        this.distrust = 'the warehouse file changed since ducksteps last committed to it';
    }
    if (o.settings.recheck) this.distrust = '--recheck';
    if (!traitsOf(o.settings.engine).recordsChanges || !o.lineage) this.distrust = 'ducksteps cannot tell what changed';
  }

  /** Whether steps record what they read and wrote (their engine's recordsChanges). */
  get tracked(): boolean {
    return traitsOf(this.o.settings.engine).recordsChanges;
  }

  /** The ledger and the recorded state, read once by a worker (again after an incremental step committed). */
  warehouse(): Promise<WarehouseRead> {
    if (!this.read) {
      const read = this.readWarehouse();
      this.read = read.catch((error: unknown) => {
        this.read = undefined; // the next stage asks again
        throw error;
      });
      this.first ??= this.read.then((r) => r.state);
      this.first.catch(() => (this.first = undefined));
    }
    return this.read;
  }

  /** The recorded state as the run's first read found it (this run's own changes are kept in memory). */
  private recorded(): Promise<RecordedState> {
    return this.first ?? this.warehouse().then((r) => r.state);
  }

  private async readWarehouse(): Promise<WarehouseRead> {
    if (this.file && !existsSync(this.file))
      return { ledger: { batches: [], files: [], stepBatches: [] }, state: { versions: {}, steps: {} } };
    const connection = connectionOf({ root: this.o.root }, this.o.settings);
    const job = { kind: 'ledger', connection, state: { pipeline: this.pipeline } } as const;
    const answer = await this.o.pool.run(job, { signal: this.o.signal });
    if (!('result' in answer))
      throw new BatchError(`cannot read the batch ledger: ${answer.died.message}`, { hint: answer.died.hint });
    if ('error' in answer.result) throw new BatchError(answer.result.error.message, { hint: answer.result.error.hint });
    return { ledger: answer.result.ledger, state: answer.result.state ?? { versions: {}, steps: {} } };
  }

  /** The tables' versions now: as read, and as this run's steps left them. */
  private async current(): Promise<Record<string, string>> {
    return { ...(await this.recorded()).versions, ...this.versions };
  }

  private dependencies(step: Step, files: readonly RenderedFile[]): StepDependencies | undefined {
    if (!this.o.lineage) return undefined;
    const script = step.script && readFileSync(join(this.o.root, step.script), 'utf8');
    const found = stepDependencies(step, files, this.o.lineage, Boolean(script && INPUTS_EXPORT.test(script)));
    this.deps.set(step.id, found);
    return found;
  }

  private fingerprint(step: Step, files: readonly RenderedFile[]): string {
    const script = step.script
      ? { digest: (this.digest ??= scriptsDigest(this.o.root)), vars: this.o.settings.vars }
      : undefined;
    return stepFingerprint(step, files, this.o.settings.engine ?? 'duckdb', script);
  }

  /** Why the step need not run ("nothing it reads changed"), or undefined: it runs. */
  async upToDate(step: Step, files: readonly RenderedFile[]): Promise<string | undefined> {
    const deps = this.dependencies(step, files);
    if (!deps || deps.never || step.incremental || (this.distrust && !step.local)) return undefined;
    if (this.o.settings.recheck) return undefined;
    let recorded: RecordedState;
    try {
      recorded = step.local ? { versions: {}, steps: localRecords(this.o.root) } : await this.recorded();
    } catch {
      return undefined; // the ledger could not be read: the step runs (and says why if it cannot either)
    }
    const record = recorded.steps[step.id];
    if (!record) return undefined;
    const compiled = step.script && this.o.scripts.get(step.script);
    const ctx = {
      vars: this.o.settings.vars,
      step: { number: step.number, name: step.name, id: step.id },
      projectRoot: this.o.root,
    };
    const now = {
      versions: step.local ? {} : await this.current(),
      files: await fileStamps(this.o.root, [...deps.files, ...deps.filesWritten]),
      script: compiled ? await scriptWord(compiled, ctx) : undefined,
      foreign: recorded.foreign,
    };
    const decision = decide(this.fingerprint(step, files), record, now);
    return decision.upToDate ? 'nothing it reads changed' : undefined;
  }

  /** What the step's transaction records (undefined where the engine records no changes). */
  job(step: Step, files: readonly RenderedFile[]): StepStateJob | undefined {
    if (!this.tracked) return undefined;
    const deps = this.deps.get(step.id) ?? this.dependencies(step, files);
    const base = { pipeline: this.pipeline, runId: this.o.runId, expect: this.expect, local: step.local };
    if (!deps)
      return {
        ...base,
        fingerprint: '',
        reads: [],
        writes: [],
        statements: {},
        files: [],
        filesWritten: [],
        anything: true,
      };
    const lineageWrites = this.o.lineage?.get(step.id)?.writes ?? [];
    const recordable = !deps.never && !step.incremental;
    return {
      ...base,
      fingerprint: recordable ? this.fingerprint(step, files) : '',
      reads: deps.reads,
      writes: [...new Set([...deps.writes, ...lineageWrites])].sort(),
      statements: deps.statements,
      files: deps.files,
      filesWritten: deps.filesWritten,
      anything: deps.anything,
    };
  }

  /** The project's lineage, when it is known. */
  get lineage(): ProjectLineage | undefined {
    return this.o.lineage;
  }

  /** The current versions of these tables, or undefined when nothing is taken as unchanged in this run. */
  async versionsOf(tables: readonly string[]): Promise<Record<string, string> | undefined> {
    if (this.distrust || !this.tracked || !this.o.lineage || this.o.settings.recheck) return undefined;
    try {
      const now = await this.current();
      return Object.fromEntries(tables.map((t) => [t, now[t] ?? '']));
    } catch {
      return undefined; // the warehouse could not be read: deliver
    }
  }

  /** After a step's worker answered: its versions count from now on, the file's stamp is kept. */
  committed(step: Step, outcome: StepOutcome): void {
    const state = outcome.state;
    if (state?.outside) this.distrust ??= 'the warehouse file changed since ducksteps last committed to it';
    if (step.local) {
      if (outcome.status === 'ok' && state?.record) keepLocalRecord(this.o.root, step.id, state.record);
      return;
    }
    Object.assign(this.versions, state?.versions ?? {});
    if (step.incremental && outcome.status === 'ok') this.read = undefined; // the ledger changed
    if (!this.file || !this.tracked) return;
    this.expect = state?.stamp; // unknown after a worker that died: the next run trusts nothing
    keepStamp(this.o.root, this.file, this.expect);
  }
}
