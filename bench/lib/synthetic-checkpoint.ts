import { checkpointParameters, type ChronosBoltArchitecture } from '@/lib/models/chronos-bolt';

/**
 * A Chronos-Bolt checkpoint of a real size's shape (tensor names and shapes as the official
 * checkpoints have them) with pseudo-random weights: for benchmarks that need the bytes and the
 * work of a real size, not its forecasts. config.json follows the golden tiny-random one.
 */
export function syntheticCheckpoint(architecture: ChronosBoltArchitecture, goldenConfig: Record<string, unknown>): { config: Uint8Array; safetensors: Uint8Array } {
  const { modelDim: d, feedForwardDim: ff, headDim, numHeads, encoderLayers, decoderLayers } = architecture;
  const inner = numHeads * headDim;
  const tensors: [string, number[]][] = [['shared.weight', [2, d]]];
  const attention = (prefix: string) => {
    tensors.push([`${prefix}.q.weight`, [inner, d]], [`${prefix}.k.weight`, [inner, d]], [`${prefix}.v.weight`, [inner, d]], [`${prefix}.o.weight`, [d, inner]]);
  };
  for (let i = 0; i < encoderLayers; i++) {
    const block = `encoder.block.${i}`;
    attention(`${block}.layer.0.SelfAttention`);
    if (i === 0) tensors.push([`${block}.layer.0.SelfAttention.relative_attention_bias.weight`, [32, numHeads]]);
    tensors.push([`${block}.layer.0.layer_norm.weight`, [d]], [`${block}.layer.1.DenseReluDense.wi.weight`, [ff, d]], [`${block}.layer.1.DenseReluDense.wo.weight`, [d, ff]], [`${block}.layer.1.layer_norm.weight`, [d]]);
  }
  tensors.push(['encoder.final_layer_norm.weight', [d]]);
  for (let i = 0; i < decoderLayers; i++) {
    const block = `decoder.block.${i}`;
    attention(`${block}.layer.0.SelfAttention`);
    if (i === 0) tensors.push([`${block}.layer.0.SelfAttention.relative_attention_bias.weight`, [32, numHeads]]);
    tensors.push([`${block}.layer.0.layer_norm.weight`, [d]]);
    attention(`${block}.layer.1.EncDecAttention`);
    tensors.push([`${block}.layer.1.layer_norm.weight`, [d]], [`${block}.layer.2.DenseReluDense.wi.weight`, [ff, d]], [`${block}.layer.2.DenseReluDense.wo.weight`, [d, ff]], [`${block}.layer.2.layer_norm.weight`, [d]]);
  }
  tensors.push(['decoder.final_layer_norm.weight', [d]]);
  const residual = (prefix: string, input: number, output: number) => {
    tensors.push(
      [`${prefix}.hidden_layer.weight`, [ff, input]], [`${prefix}.hidden_layer.bias`, [ff]],
      [`${prefix}.output_layer.weight`, [output, ff]], [`${prefix}.output_layer.bias`, [output]],
      [`${prefix}.residual_layer.weight`, [output, input]], [`${prefix}.residual_layer.bias`, [output]],
    );
  };
  residual('input_patch_embedding', 32, d);
  residual('output_patch_embedding', d, 9 * 64);

  const elements = tensors.reduce((sum, [, shape]) => sum + shape.reduce((product, dim) => product * dim, 1), 0);
  if (elements !== checkpointParameters(architecture)) throw new Error(`bench: synthetic checkpoint has ${elements} parameters, the catalog counts ${checkpointParameters(architecture)}`);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of tensors) {
    const bytes = shape.reduce((product, dim) => product * dim, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - ((8 + headerText.length) % 8)) % 8); // data section 8-aligned, as safetensors writes it
  const headerBytes = new TextEncoder().encode(headerText);
  const file = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  const values = new Float32Array(file.buffer, 8 + headerBytes.length, offset / 4);
  let state = 12345;
  let position = 0;
  for (const [name, shape] of tensors) {
    const count = shape.reduce((product, dim) => product * dim, 1);
    const isNorm = name.endsWith('layer_norm.weight');
    const scale = 1 / Math.sqrt(shape.at(-1)!);
    for (let i = 0; i < count; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      values[position++] = isNorm ? 1 : ((state / 2 ** 32) * 2 - 1) * scale;
    }
  }
  const config = {
    ...goldenConfig,
    d_model: d,
    d_ff: ff,
    d_kv: headDim,
    num_heads: numHeads,
    num_layers: encoderLayers,
    num_decoder_layers: decoderLayers,
  };
  return { config: new TextEncoder().encode(JSON.stringify(config, null, 2)), safetensors: file };
}
