/**
 * A minimal ONNX protobuf writer: the few messages of onnx.proto (proto2) that a static inference
 * graph needs, hand-encoded in the protobuf wire format. No dependency, no Node API.
 *
 * The encoder returns a list of byte chunks instead of one buffer so that large initializers are
 * referenced, not copied, until the caller writes or concatenates them (a base model is ~800 MB).
 * An initializer may also be lazy (its byte length known up front, its bytes made on demand):
 * streamed with `encodedChunks`, a converter then holds one transposed tensor at a time instead of
 * a second copy of every weight.
 */
import { LookaheadError } from '@/lib/core/errors';

/** onnx.proto TensorProto.DataType values used here. */
export const OnnxDataType = {
  FLOAT: 1,
  INT64: 7,
  FLOAT16: 10,
} as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** Bytes made when they are written: `produce()` must return exactly `byteLength` bytes. */
export interface LazyBytes {
  byteLength: number;
  produce(): Uint8Array;
}

export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  dims: readonly number[];
  /** Little-endian element bytes, as TensorProto.raw_data (typed arrays are little-endian on every platform we target). */
  rawData: Uint8Array | LazyBytes;
}

export type OnnxAttribute =
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'tensor'; value: OnnxTensor }
  | { name: string; kind: 'floats'; value: readonly number[] }
  | { name: string; kind: 'ints'; value: readonly number[] };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: readonly OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  /** A number is a fixed dimension, a string a named dynamic one. */
  shape: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
  graph: OnnxGraph;
}

/** The encoded form: chunks in order (lazy ones made on demand), and their total length. */
export interface EncodedBytes {
  chunks: (Uint8Array | LazyBytes)[];
  byteLength: number;
}

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

/** Accumulates one message: small fields in a scratch array, big byte fields as chunk references. */
class MessageWriter {
  private readonly chunks: (Uint8Array | LazyBytes)[] = [];
  private scratch: number[] = [];
  private flushedLength = 0;

  private flush(): void {
    if (this.scratch.length > 0) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.flushedLength += this.scratch.length;
      this.scratch = [];
    }
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number | bigint): void {
    // int64 fields: negative values are written as 10-byte two's complement, as protobuf does.
    let remaining = BigInt.asUintN(64, BigInt(value));
    if (remaining < 0x80n) {
      this.scratch.push(Number(remaining));
      return;
    }
    while (remaining >= 0x80n) {
      this.scratch.push(Number(remaining & 0x7fn) | 0x80);
      remaining >>= 7n;
    }
    this.scratch.push(Number(remaining));
  }

  int(field: number, value: number): this {
    if (!Number.isSafeInteger(value)) throw new LookaheadError('onnx', 'internal', `integer field ${field} is not a safe integer: ${value}`);
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    for (const byte of bytes) this.scratch.push(byte);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  bytes(field: number, value: Uint8Array | LazyBytes): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.byteLength);
    if (value instanceof Uint8Array && value.byteLength < 256) {
      for (const byte of value) this.scratch.push(byte);
    } else {
      this.flush();
      this.chunks.push(value);
      this.flushedLength += value.byteLength;
    }
    return this;
  }

  message(field: number, value: EncodedBytes): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.byteLength);
    this.flush();
    for (const chunk of value.chunks) this.chunks.push(chunk);
    this.flushedLength += value.byteLength;
    return this;
  }

  finish(): EncodedBytes {
    this.flush();
    return { chunks: this.chunks, byteLength: this.flushedLength };
  }
}

function encodeTensor(tensor: OnnxTensor): EncodedBytes {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
  const writer = new MessageWriter();
  for (const dim of tensor.dims) writer.int(1, dim);
  writer.int(2, tensor.dataType);
  writer.string(8, tensor.name);
  writer.bytes(9, tensor.rawData);
  return writer.finish();
}

const attributeType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function encodeAttribute(attribute: OnnxAttribute): EncodedBytes {
  // AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, type = 20.
  const writer = new MessageWriter();
  writer.string(1, attribute.name);
  switch (attribute.kind) {
    case 'float':
      writer.float(2, attribute.value);
      break;
    case 'int':
      writer.int(3, attribute.value);
      break;
    case 'string':
      writer.string(4, attribute.value);
      break;
    case 'tensor':
      writer.message(5, encodeTensor(attribute.value));
      break;
    case 'floats':
      for (const value of attribute.value) writer.float(7, value);
      break;
    case 'ints':
      for (const value of attribute.value) writer.int(8, value);
      break;
  }
  writer.int(20, attributeType[attribute.kind]);
  return writer.finish();
}

function encodeNode(node: OnnxNode): EncodedBytes {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.
  const writer = new MessageWriter();
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  if (node.name !== undefined) writer.string(3, node.name);
  writer.string(4, node.opType);
  for (const attribute of node.attributes ?? []) writer.message(5, encodeAttribute(attribute));
  if (node.domain !== undefined) writer.string(7, node.domain);
  return writer.finish();
}

function encodeValueInfo(info: OnnxValueInfo): EncodedBytes {
  // ValueInfoProto{name = 1, type = 2}; TypeProto{tensor_type = 1};
  // TypeProto.Tensor{elem_type = 1, shape = 2}; TensorShapeProto{dim = 1};
  // Dimension{dim_value = 1, dim_param = 2}.
  const shape = new MessageWriter();
  for (const dim of info.shape) {
    const dimension = new MessageWriter();
    if (typeof dim === 'number') dimension.int(1, dim);
    else dimension.string(2, dim);
    shape.message(1, dimension.finish());
  }
  const tensorType = new MessageWriter().int(1, info.elemType).message(2, shape.finish()).finish();
  const type = new MessageWriter().message(1, tensorType).finish();
  return new MessageWriter().string(1, info.name).message(2, type).finish();
}

function encodeGraph(graph: OnnxGraph): EncodedBytes {
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
  const writer = new MessageWriter();
  for (const node of graph.nodes) writer.message(1, encodeNode(node));
  writer.string(2, graph.name);
  for (const initializer of graph.initializers) writer.message(5, encodeTensor(initializer));
  for (const input of graph.inputs) writer.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) writer.message(12, encodeValueInfo(output));
  return writer.finish();
}

/** Encodes a ModelProto. Concatenate (or stream) the chunks to get the .onnx file. */
export function encodeOnnxModel(model: OnnxModel): EncodedBytes {
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6,
  // graph = 7, opset_import = 8, metadata_props = 14.
  // OperatorSetIdProto{domain = 1, version = 2}; StringStringEntryProto{key = 1, value = 2}.
  const writer = new MessageWriter();
  writer.int(1, model.irVersion);
  writer.string(2, model.producerName);
  writer.string(3, model.producerVersion);
  if (model.docString !== undefined) writer.string(6, model.docString);
  writer.message(7, encodeGraph(model.graph));
  writer.message(8, new MessageWriter().string(1, '').int(2, model.opsetVersion).finish());
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    writer.message(14, new MessageWriter().string(1, key).string(2, value).finish());
  }
  const encoded = writer.finish();
  if (encoded.byteLength >= 2 ** 31) {
    throw new LookaheadError('onnx', 'too_large', `model is ${encoded.byteLength} bytes, over protobuf's 2 GiB limit; use fp16 weights`);
  }
  return encoded;
}

/** The chunks in order, each lazy one made just before it is yielded (write it, then drop it). */
export function* encodedChunks(encoded: EncodedBytes): Generator<Uint8Array> {
  for (const chunk of encoded.chunks) {
    if (chunk instanceof Uint8Array) {
      yield chunk;
      continue;
    }
    const bytes = chunk.produce();
    if (bytes.byteLength !== chunk.byteLength) {
      throw new LookaheadError('onnx', 'internal', `a lazy initializer made ${bytes.byteLength} bytes, ${chunk.byteLength} were announced`);
    }
    yield bytes;
  }
}

/** Joins encoded chunks into one buffer. */
export function concatChunks(encoded: EncodedBytes): Uint8Array {
  const out = new Uint8Array(encoded.byteLength);
  let offset = 0;
  for (const chunk of encodedChunks(encoded)) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
