// The one function of pg-copy-streams ducksteps uses (the package ships no types).
declare module 'pg-copy-streams' {
  import type { Writable } from 'node:stream';
  import type { Submittable } from 'pg';
  export type CopyStream = Writable & Submittable & { rowCount?: number };
  export function from(sql: string): CopyStream;
}
