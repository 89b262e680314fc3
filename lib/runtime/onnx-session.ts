import { LookaheadError } from '@/lib/core/errors';
import type { ChronosRuntime } from '@/lib/models/chronos-bolt';

/**
 * The one session shape the app uses for ONNX models, whichever onnxruntime package runs it
 * (onnx-node.ts, onnx-web.ts). Runs are serialised: onnxruntime sessions must not run concurrently
 * on WebGPU, and queuing keeps peak memory to one run everywhere.
 */

export interface OnnxTensorData {
  data: Float32Array;
  dims: readonly number[];
}

export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The execution provider the session was created with ('cpu', 'wasm', 'webgpu', 'cuda'). */
  readonly executionProvider: string;
  /** Runs the model; only `outputNames` are fetched (all when omitted). Output data is copied out. */
  run(feeds: Readonly<Record<string, OnnxTensorData>>, outputNames?: readonly string[]): Promise<Record<string, OnnxTensorData>>;
  /** Frees the native/WASM session. Safe to call twice; runs after it reject. */
  release(): Promise<void>;
}

/** The parts of onnxruntime-common's API both packages share (typed here so only lib/runtime/onnx-*.ts import them). */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose(): void;
}

export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>, fetches: string[]): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

export type OrtFloatTensorFactory = (data: Float32Array, dims: readonly number[]) => OrtTensorLike;

/**
 * An OnnxSession from a host's own run and release: runs are serialised (one at a time, in call
 * order; a failed run does not stop the next), a run after release is refused, and release waits
 * for the runs already queued. Every host (onnxruntime in this thread, onnxruntime-node on its own
 * thread) builds its session with this.
 */
export function serialisedSession({ inputNames, outputNames, executionProvider, runNow, release }: {
  inputNames: readonly string[];
  outputNames: readonly string[];
  executionProvider: string;
  runNow: (feeds: Readonly<Record<string, OnnxTensorData>>, outputNames: readonly string[]) => Promise<Record<string, OnnxTensorData>>;
  release: () => Promise<void>;
}): OnnxSession {
  let queue: Promise<unknown> = Promise.resolve();
  let released = false;
  return {
    inputNames,
    outputNames,
    executionProvider,
    run(feeds, wanted = outputNames) {
      const result = queue.then(() => {
        if (released) throw new LookaheadError('onnx', 'internal', 'session was released; create a new one');
        return runNow(feeds, wanted);
      });
      queue = result.catch(() => undefined);
      return result;
    },
    async release() {
      if (released) return;
      released = true;
      await queue;
      await release();
    },
  };
}

/** Wraps an onnxruntime InferenceSession as an OnnxSession (serialised runs, tensors disposed on every path). */
export function wrapOrtSession(session: OrtSessionLike, makeTensor: OrtFloatTensorFactory, executionProvider: string): OnnxSession {
  async function runNow(feeds: Readonly<Record<string, OnnxTensorData>>, outputNames: readonly string[]): Promise<Record<string, OnnxTensorData>> {
    const inputs: Record<string, OrtTensorLike> = {};
    let outputs: Record<string, OrtTensorLike> = {};
    try {
      for (const [name, tensor] of Object.entries(feeds)) inputs[name] = makeTensor(tensor.data, tensor.dims);
      outputs = await session.run(inputs, [...outputNames]);
      const result: Record<string, OnnxTensorData> = {};
      for (const name of outputNames) {
        const output = outputs[name];
        if (output === undefined || !(output.data instanceof Float32Array)) {
          throw new LookaheadError('onnx', 'internal', `output \`${name}\` is missing or not float32`);
        }
        result[name] = { data: output.data.slice(), dims: [...output.dims] };
      }
      return result;
    } finally {
      for (const tensor of Object.values(inputs)) tensor.dispose();
      for (const tensor of Object.values(outputs)) tensor.dispose();
    }
  }

  return serialisedSession({ inputNames: session.inputNames, outputNames: session.outputNames, executionProvider, runNow, release: () => session.release() });
}

/** Adapts a session of a converted Chronos-Bolt graph (inputs patches/patch_mask) to the pipeline's runtime. */
export function createChronosRuntime(session: OnnxSession): ChronosRuntime {
  for (const name of ['patches', 'patch_mask']) {
    if (!session.inputNames.includes(name)) {
      throw new LookaheadError('onnx', 'bad_input', `model has no input \`${name}\` (inputs: ${session.inputNames.join(', ')}); convert it with npm run models:convert`);
    }
  }
  return {
    async run(patches, patchMask, batch, numPatches, options = {}) {
      const features = patches.length / (batch * numPatches);
      const wanted = options.encoderOutput === true ? ['quantiles', 'encoder_output'] : ['quantiles'];
      const outputs = await session.run(
        { patches: { data: patches, dims: [batch, numPatches, features] }, patch_mask: { data: patchMask, dims: [batch, numPatches] } },
        wanted,
      );
      return options.encoderOutput === true
        ? { quantiles: outputs.quantiles!.data, encoderOutput: outputs.encoder_output!.data }
        : { quantiles: outputs.quantiles!.data };
    },
  };
}
