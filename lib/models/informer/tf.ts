/**
 * The TensorFlow.js surface the Informer code uses, as types only: the namespace itself is
 * injected by lib/runtime (tfjs-node.ts / tfjs-browser.ts), so nothing here loads TensorFlow.js.
 */
import type * as tfc from '@tensorflow/tfjs-core';

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;
export type Variable = tfc.Variable;
export type Rank3 = tfc.Tensor3D;
