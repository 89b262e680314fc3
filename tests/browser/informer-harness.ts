/**
 * Browser side of the Informer golden parity test: loads TensorFlow.js through the app's
 * lib/runtime/tfjs-browser.ts on the requested backend, fetches a golden config from the static
 * server and runs the same replay check the Node unit test runs (tests/support/informer-golden-check).
 * The Informer speed bench (`--browser`) times its training step here too.
 */
import { loadTf, type TfBackendName } from '@/lib/runtime/tfjs-browser';
import { runGoldenReplay, runGoldenWithoutReplay, type GoldenReport } from '@/tests/support/informer-golden-check';
import { measureInformerStep, type StepTiming } from '@/bench/lib/informer-step';

export interface InformerHarness {
  run(backend: TfBackendName, config: string): Promise<GoldenReport & { withoutReplayMaxAbs: number }>;
  /** bench/informer.ts --browser: the bench's training step and inference timed in this page. */
  timeStep(backend: TfBackendName, attention: 'prob' | 'full', length: number, repeats: number): Promise<StepTiming>;
}

declare global {
  interface Window { informerHarness?: InformerHarness }
}

const fetchJson = async (url: string) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`harness: GET ${url} answered ${response.status}`);
  return response.json();
};

window.informerHarness = {
  async run(backend, name) {
    const tf = await loadTf(backend, { wasmPaths: '/tfjs-wasm/' });
    const [config, weights, golden] = await Promise.all(['config', 'weights', 'golden'].map((file) => fetchJson(`/golden/${name}/${file}.json`)));
    const report = await runGoldenReplay(tf, config, weights, golden);
    const withoutReplayMaxAbs = config.model_kwargs.attn === 'prob' ? await runGoldenWithoutReplay(tf, config, weights, golden, 1) : 0;
    return { ...report, withoutReplayMaxAbs };
  },
  async timeStep(backend, attention, length, repeats) {
    const tf = await loadTf(backend, { wasmPaths: '/tfjs-wasm/' });
    return measureInformerStep(tf, attention, length, repeats);
  },
};
document.body.dataset.ready = 'true';
