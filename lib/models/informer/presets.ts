/**
 * Informer presets (seed-000): a task (energy, financial, weather, traffic: frequency, context,
 * label and horizon) times a size (small, medium, large: d_model, heads, layers, d_ff), loaded from
 * presets.json and validated with zod so a bad file or a bad choice says exactly what is wrong.
 */
import { z } from 'zod';
import { LookaheadError } from '@/lib/core/errors';
import { validateConfig, type InformerConfig } from './config';
import type { TrainingOptions } from './trainer';
import presetsJson from './presets.json';

const positive = z.number().int().positive();
const PresetFile = z.object({
  tasks: z.record(z.string(), z.object({ label: z.string(), frequency: z.enum(['h', 't', 'd']), contextLength: positive, labelLength: z.number().int().nonnegative(), horizon: positive })
    .refine((task) => task.labelLength <= task.contextLength, { message: 'labelLength must not exceed contextLength' })),
  sizes: z.record(z.string(), z.object({ dModel: positive, heads: positive, encoderLayers: positive, decoderLayers: positive, dFeedForward: positive })
    .refine((size) => size.dModel % size.heads === 0, { message: 'dModel must be divisible by heads' })),
  defaults: z.object({ factor: positive, dropout: z.number().min(0).lt(1), attention: z.enum(['prob', 'full']), timeEmbedding: z.enum(['timeF', 'fixed', 'learned']), activation: z.enum(['gelu', 'relu']), distil: z.boolean(), mix: z.boolean() }),
  training: z.object({ epochs: positive, batchSize: positive, learningRate: z.number().positive(), schedule: z.enum(['halve', 'cosine', 'constant']), patience: positive, clipNorm: z.number().positive().optional(), seed: z.number().int() }),
});
export type InformerPresetFile = z.infer<typeof PresetFile>;

/**
 * The network sizes Lookahead accepts from a caller (a train job's overrides, a browser-trained
 * model's record): what a 2-core CPU or a browser can train and serve, and the ONNX export handles.
 */
export const INFORMER_NETWORK_BOUNDS = {
  contextLength: z.number().int().min(2).max(4096),
  labelLength: z.number().int().min(0).max(4096),
  horizon: z.number().int().min(1).max(1024),
  dModel: z.number().int().min(1).max(1024),
  heads: z.number().int().min(1).max(32),
  encoderLayers: z.number().int().min(1).max(6),
  decoderLayers: z.number().int().min(1).max(6),
  dFeedForward: z.number().int().min(1).max(8192),
};

/** Parses a presets file (the bundled one by default); errors list every problem with its path. */
export function loadInformerPresets(json: unknown = presetsJson): InformerPresetFile {
  const parsed = PresetFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new LookaheadError('informer', 'bad_input', `presets file is invalid: ${problems}`, { cause: parsed.error });
  }
  return parsed.data;
}

export interface InformerPresetChoice {
  task: string;
  size: string;
  /** Channels of the data (all inputs; the last `outputs` are forecast). */
  channels: number;
  outputs?: number;
  /** Any field to override after the preset (validated like the rest). */
  overrides?: Partial<InformerConfig>;
}

export function informerPreset(choice: InformerPresetChoice, file: InformerPresetFile = loadInformerPresets()): { config: InformerConfig; training: TrainingOptions; label: string } {
  const task = file.tasks[choice.task];
  if (task === undefined) throw new LookaheadError('informer', 'bad_input', `unknown task preset ${JSON.stringify(choice.task)}; valid: ${Object.keys(file.tasks).join(', ')}`);
  const size = file.sizes[choice.size];
  if (size === undefined) throw new LookaheadError('informer', 'bad_input', `unknown size preset ${JSON.stringify(choice.size)}; valid: ${Object.keys(file.sizes).join(', ')}`);
  if (!Number.isInteger(choice.channels) || choice.channels < 1) throw new LookaheadError('informer', 'bad_input', `channels must be a positive integer, got ${choice.channels}`);
  const outputs = choice.outputs ?? choice.channels;
  const { label, ...window } = task;
  const config = validateConfig({
    encoderInputs: choice.channels, decoderInputs: choice.channels, outputs,
    ...window, ...size, ...file.defaults, ...(choice.overrides ?? {}),
  });
  return { config, training: { ...file.training }, label: `${label}, ${choice.size}` };
}
