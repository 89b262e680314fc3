/**
 * DataEmbedding: TokenEmbedding (circular Conv1d k=3 with bias) + the fixed sinusoid positional
 * embedding + a temporal embedding (timeF Linear, fixed sinusoid tables, or learned tables).
 */
import type { InformerConfig } from './config';
import { dropout, record, type ForwardContext } from './context';
import { circularConv3, linear } from './layers';
import type { Tensor } from './tf';

/**
 * pe[pos, 2i] = sin(pos w_i), pe[pos, 2i+1] = cos(pos w_i), w_i = exp(2i * -ln(10000)/d), with
 * torch's float32 rounding of w_i and pos*w_i (float64 sin/cos, then rounded): within 2e-6 of torch.
 */
export function sinusoidTable(rows: number, dModel: number): Float32Array {
  const table = new Float32Array(rows * dModel);
  const step = Math.fround(-Math.log(10000) / dModel);
  for (let i = 0; i < dModel; i += 2) {
    const frequency = Math.fround(Math.exp(Math.fround(i * step)));
    for (let pos = 0; pos < rows; pos++) {
      const angle = Math.fround(pos * frequency);
      table[pos * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) table[pos * dModel + i + 1] = Math.cos(angle);
    }
  }
  return table;
}

const FIXED_TABLES = [
  // [name, rows, mark column]; marks are [month, day, weekday, hour(, minute)].
  ['month', 13, 0], ['day', 32, 1], ['weekday', 7, 2], ['hour', 24, 3], ['minute', 4, 4],
] as const;

function temporalEmbedding(context: ForwardContext, config: InformerConfig, marks: Tensor, prefix: string): Tensor {
  const { tf } = context;
  if (config.timeEmbedding === 'timeF') return linear(context, marks, `${prefix}.embed`);
  // .long() truncates toward zero; the marks are integers stored as floats.
  const indices = tf.cast(marks, 'int32');
  const tables = FIXED_TABLES.filter(([, , column]) => column < marks.shape[2]!);
  let sum: Tensor | undefined;
  // Summed in the reference's order: hour + weekday + day + month (+ minute).
  const order = ['hour', 'weekday', 'day', 'month', 'minute'];
  for (const name of order) {
    const entry = tables.find(([tableName]) => tableName === name);
    if (entry === undefined) continue;
    const column = tf.squeeze(tf.slice(indices, [0, 0, entry[2]], [-1, -1, 1]), [2]);
    const weight = context.param(config.timeEmbedding === 'fixed' ? `${prefix}.${name}_embed.emb.weight` : `${prefix}.${name}_embed.weight`);
    // One-hot @ table rather than gather: exact, and its gradient needs no UnsortedSegmentSum
    // (missing from tfjs-backend-wasm 4.22).
    const looked = tf.matMul(tf.reshape(tf.oneHot(column, weight.shape[0]!), [-1, weight.shape[0]!]), weight);
    const shaped = tf.reshape(looked, [column.shape[0]!, column.shape[1]!, weight.shape[1]!]);
    sum = sum === undefined ? shaped : tf.add(sum, shaped);
  }
  return sum!;
}

export function dataEmbedding(context: ForwardContext, config: InformerConfig, values: Tensor, marks: Tensor, prefix: string): Tensor {
  const { tf } = context;
  const length = values.shape[1]!;
  const value = circularConv3(context, values, `${prefix}.value_embedding.tokenConv`);
  record(context, `${prefix}.value_embedding`, value);
  const position = tf.tensor3d(sinusoidTable(length, config.dModel), [1, length, config.dModel]);
  record(context, `${prefix}.position_embedding`, position);
  const temporal = temporalEmbedding(context, config, marks, `${prefix}.temporal_embedding`);
  record(context, `${prefix}.temporal_embedding`, temporal);
  const sum = dropout(context, tf.add(tf.add(value, position), temporal));
  record(context, prefix, sum);
  return sum;
}
