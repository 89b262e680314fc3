import { LookaheadError } from '@/lib/core/errors';
import { OnnxDataType, type LazyBytes, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto';

/**
 * How matmul weights are stored in the graph; compute is float32 either way. (Per-channel int8 was
 * tried and dropped: 1e-1 of (|loc| + scale) off the goldens on tiny-random.)
 */
export type WeightDtype = 'fp32' | 'fp16';

export const attr = {
  int: (name: string, value: number): OnnxAttribute => ({ name, kind: 'int', value }),
  ints: (name: string, value: readonly number[]): OnnxAttribute => ({ name, kind: 'ints', value }),
  float: (name: string, value: number): OnnxAttribute => ({ name, kind: 'float', value }),
};

function bytesOf(array: Float32Array | Uint16Array | BigInt64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * Builds an ONNX graph node by node. Values are named by a scope path ("encoder/block.0/attn/MatMul_3")
 * so that ORT errors and profiles point at the model part.
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly constants = new Map<string, string>();
  private readonly scopes: string[] = [];
  private counter = 0;

  constructor(private readonly weightDtype: WeightDtype = 'fp32') {}

  scoped<T>(scope: string, build: () => T): T {
    this.scopes.push(scope);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  private fresh(base: string): string {
    const prefix = this.scopes.length > 0 ? `${this.scopes.join('/')}/` : '';
    return `${prefix}${base}_${this.counter++}`;
  }

  input(name: string, shape: readonly (number | string)[]): string {
    this.inputs.push({ name, elemType: OnnxDataType.FLOAT, shape });
    return name;
  }

  /** Exposes `value` as a float32 graph output called `name`. */
  output(name: string, value: string, shape: readonly (number | string)[]): void {
    this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `output/${name}` });
    this.outputs.push({ name, elemType: OnnxDataType.FLOAT, shape });
  }

  op(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = []): string {
    const output = this.fresh(opType);
    this.nodes.push({ opType, inputs, outputs: [output], name: output, attributes });
    return output;
  }

  /** A node with several outputs (TopK: values, indices); returns their names in order. */
  opMulti(opType: string, inputs: readonly string[], outputCount: number, attributes: readonly OnnxAttribute[] = []): string[] {
    const base = this.fresh(opType);
    const outputs = Array.from({ length: outputCount }, (_, index) => (index === 0 ? base : `${base}:${index}`));
    this.nodes.push({ opType, inputs, outputs, name: base, attributes });
    return outputs;
  }

  private initializer(name: string, dataType: OnnxDataType, dims: readonly number[], rawData: Uint8Array | LazyBytes): string {
    this.initializers.push({ name, dataType, dims, rawData });
    return name;
  }

  /** A deduplicated int64 constant (shapes, axes, slice bounds). */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const name = this.initializer(`const/i64_${this.constants.size}`, OnnxDataType.INT64, dims, bytesOf(BigInt64Array.from(values, BigInt)));
    this.constants.set(key, name);
    return name;
  }

  /** A deduplicated float32 constant. */
  float32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const name = this.initializer(`const/f32_${this.constants.size}`, OnnxDataType.FLOAT, dims, bytesOf(Float32Array.from(values)));
    this.constants.set(key, name);
    return name;
  }

  /** A float32 tensor that always stays float32 (norm weights, biases, the bias table). */
  parameter(name: string, data: Float32Array, dims: readonly number[]): string {
    checkSize(name, data, dims);
    return this.initializer(name, OnnxDataType.FLOAT, dims, bytesOf(data));
  }

  /**
   * A matmul weight, stored in the builder's weight dtype and returned as a float32 value (fp16
   * widened by Cast). `data` is called when the model is encoded (streamed: one weight at a time).
   */
  weight(name: string, data: () => Float32Array, dims: readonly [number, number]): string {
    const size = dims[0] * dims[1];
    const made = (): Float32Array => {
      const values = data();
      checkSize(name, values, dims);
      return values;
    };
    if (this.weightDtype === 'fp32') {
      return this.initializer(name, OnnxDataType.FLOAT, dims, { byteLength: size * 4, produce: () => bytesOf(made()) });
    }
    const stored = this.initializer(`${name}.fp16`, OnnxDataType.FLOAT16, dims, { byteLength: size * 2, produce: () => bytesOf(float32ToFloat16(made())) });
    const widened = `${name}.fp32`;
    this.nodes.push({ opType: 'Cast', inputs: [stored], outputs: [widened], name: widened, attributes: [attr.int('to', OnnxDataType.FLOAT)] });
    return widened;
  }

  graph(name: string): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }
}

function checkSize(name: string, data: Float32Array, dims: readonly number[]): void {
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (data.length !== size) {
    throw new LookaheadError('onnx', 'internal', `initializer \`${name}\` has ${data.length} values, dims [${dims.join(', ')}] need ${size}`);
  }
}

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** IEEE binary16 bits of a float32, rounded to nearest even (overflow goes to infinity). */
export function float32ToFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and reaches infinity at the top).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

export function float32ToFloat16(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float32ToFloat16Bits(data[i]!);
  return out;
}
