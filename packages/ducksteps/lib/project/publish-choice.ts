// Whether a run publishes: no side effects unless asked. A partial run is not a release, a target with
// "publish": false never delivers, --defer builds part of a warehouse, --no-publish says so itself.
import { UsageError } from '../errors.js';
import type { Settings } from '../model.js';

export interface PublishFlags {
  readonly publish?: boolean;
  readonly 'no-publish'?: boolean;
}

/** Why the settings alone withhold publishing (a "publish": false target, a deferred run), if they do. */
export function withheldBySettings(settings: Pick<Settings, 'publishTo' | 'target' | 'defer'>): string | undefined {
  if (settings.publishTo === false) return `target ${settings.target} has "publish": false`;
  if (settings.defer) return `deferred to ${settings.defer.target}: this warehouse holds only what the run built`;
  return undefined;
}

/** Why this run does not publish (undefined: it does), refusing --publish where it cannot. `partial`: the run
 * was given a selection (--only, --select, --exclude, --from, --to, or resumes one). */
export function publishWithheld(
  flags: PublishFlags,
  settings: Pick<Settings, 'publishTo' | 'target' | 'defer'>,
  partial: boolean,
): string | undefined {
  if (flags.publish && flags['no-publish'])
    throw new UsageError('--publish and --no-publish contradict each other', { hint: 'give one of them' });
  const bySettings = withheldBySettings(settings);
  if (flags.publish && bySettings)
    throw new UsageError(`--publish cannot deliver: ${bySettings}`, {
      hint: settings.defer
        ? `publish from a full run of a target that builds everything: ./run.sh --target ${settings.defer.target}`
        : 'publish from a target that publishes (docs/environments.md)',
    });
  if (bySettings) return bySettings;
  if (flags['no-publish']) return '--no-publish';
  if (partial && !flags.publish) return 'a partial run; --publish delivers';
  return undefined;
}
