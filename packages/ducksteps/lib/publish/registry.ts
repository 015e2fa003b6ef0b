// The publish kinds, by the name a target's `-- publish: <kind> <destination>` line uses. Add a kind here.
import { fileKind } from './file.js';
import type { PublishKind } from './kind.js';
import { postgresKind } from './postgres/postgres.js';

export const publishKinds: Readonly<Record<string, PublishKind>> = {
  file: fileKind,
  postgres: postgresKind,
};

/** The kind of a target (targets are checked at discovery, so it exists). */
export const kindOf = (name: string): PublishKind => publishKinds[name];
