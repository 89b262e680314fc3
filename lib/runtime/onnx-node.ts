import * as ort from 'onnxruntime-node';
import { LookaheadError } from '@/lib/core/errors';
import { wrapOrtSession, type OnnxSession, type OrtSessionLike } from './onnx-session';

/**
 * onnxruntime-node sessions (server workers, CLIs, tests). The only importer of onnxruntime-node.
 * CPU by default; pass executionProviders ['cuda', 'cpu'] where the CUDA build is installed.
 */

export interface NodeSessionOptions {
  /** Tried in order by onnxruntime; default ['cpu']. */
  executionProviders?: readonly ('cpu' | 'cuda')[];
  /** Threads inside one operator; default: onnxruntime's choice (all cores). */
  intraOpNumThreads?: number;
}

/** Creates a session from model bytes or a .onnx path. */
export async function createNodeOnnxSession(model: Uint8Array | string, options: NodeSessionOptions = {}): Promise<OnnxSession> {
  const executionProviders = [...(options.executionProviders ?? ['cpu'])];
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders,
    graphOptimizationLevel: 'all',
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
  };
  let session: ort.InferenceSession;
  try {
    session = typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions)
      : await ort.InferenceSession.create(model, sessionOptions);
  } catch (error) {
    const source = typeof model === 'string' ? model : `${model.byteLength} bytes`;
    throw new LookaheadError('onnx', 'bad_input', `onnxruntime-node could not load the model (${source}): ${(error as Error).message}`, { cause: error });
  }
  return wrapOrtSession(
    session as unknown as OrtSessionLike,
    (data, dims) => new ort.Tensor('float32', data, dims),
    executionProviders[0] ?? 'cpu',
  );
}
