/** TensorFlow.js in a browser page or worker: tfjs-core's ESM gradient registration. */
import { loadTfWith, type Tf, type TfBackendName, type TfOptions } from './tfjs';

export type { Tf, TfBackendName, TfOptions } from './tfjs';

export function loadTf(name: TfBackendName, options: TfOptions = {}): Promise<Tf> {
  return loadTfWith(() => import('@tensorflow/tfjs-core/dist/register_all_gradients').then(() => undefined), name, options);
}
