import { isLookaheadError } from '@/lib/core/errors';
import { hubBaseUrl } from '@/lib/server/models/hub';
import { pullModel } from '@/lib/server/models/pull';
import { listInstalledModels } from '@/lib/server/models/store';

/**
 * LOOKAHEAD_PULL_ON_START=amazon/chronos-bolt-tiny[,owner/name@rev...]: `npm start` pulls each model
 * once (skipped when a model from that repo is installed), in the background while the app already
 * serves; the app lists it when it lands. An unreachable hub costs one line, never the start.
 */
export async function pullOnStart(value: string | undefined, log: (line: string) => void = console.log): Promise<void> {
  const references = (value ?? '').split(',').map((reference) => reference.trim()).filter(Boolean);
  for (const reference of references) {
    const repo = reference.split('@')[0];
    if (listInstalledModels().some((installed) => installed.manifest.sourceRepo === repo)) continue;
    const started = performance.now();
    try {
      const result = await pullModel({ reference });
      log(`lookahead: LOOKAHEAD_PULL_ON_START installed ${result.manifest.id}@${result.manifest.revision} from ${hubBaseUrl()} in ${((performance.now() - started) / 1000).toFixed(1)} s; it is in the model list now`);
    } catch (error) {
      const reason = isLookaheadError(error) ? error.message : (error as Error).message;
      log(`lookahead: LOOKAHEAD_PULL_ON_START could not pull ${reference} (${reason.split('\n')[0]}); starting without it (browsers can still download it from the model list)`);
    }
  }
}
