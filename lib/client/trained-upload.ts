import { LookaheadError } from '@/lib/core/errors';
import { csrfHeaders } from './csrf';
import type { TrainedModelRecord } from './training-protocol';

/** Stores a model trained in this browser on the server (POST /api/models/trained: editor role); answers its id and revision. */
export async function uploadTrainedModel(record: TrainedModelRecord, weights: Uint8Array): Promise<{ id: string; revision: string; sha256: string }> {
  const form = new FormData();
  form.append('record', JSON.stringify(record));
  form.append('weights', new Blob([weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), 'model.safetensors');
  const response = await fetch('/api/models/trained', { method: 'POST', body: form, headers: csrfHeaders() });
  const body = (await response.json().catch(() => null)) as { id?: string; revision?: string; sha256?: string; error?: { message?: string } } | null;
  if (!response.ok || !body?.id || !body.revision || !body.sha256) {
    throw new LookaheadError('training', response.status === 413 ? 'too_large' : 'bad_input', `the server did not store the model: ${body?.error?.message ?? `HTTP ${response.status}`}`);
  }
  return { id: body.id, revision: body.revision, sha256: body.sha256 };
}
