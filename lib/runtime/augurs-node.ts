import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AUGURS_WASM_FILES, loadAugurs, type AugursRuntime } from './augurs';

/** Loads augurs' WASM from node_modules (server, CLI and tests). */
export function loadAugursNode(): Promise<AugursRuntime> {
  const require = createRequire(import.meta.url);
  const directory = path.dirname(require.resolve('@bsull/augurs/ets'));
  return loadAugurs({
    kind: 'bytes',
    ets: readFileSync(path.join(directory, AUGURS_WASM_FILES.ets)),
    mstl: readFileSync(path.join(directory, AUGURS_WASM_FILES.mstl)),
  });
}
