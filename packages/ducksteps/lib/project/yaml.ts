// The YAML parser, loaded on first use: every command discovers the steps, and only a project with unit tests
// (tests/unit/*.yaml) or a contract.yaml reads YAML (some 0.1 s of a run's start otherwise).
import { createRequire } from 'node:module';

let loaded: typeof import('yaml') | undefined;

export const yaml = (): typeof import('yaml') => (loaded ??= createRequire(import.meta.url)('yaml'));
