import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCheckpointDir } from '@/scripts/models-convert';
import { checkpointDir } from '../support/chronos-golden';

/**
 * An installed model whose file on disk no longer matches the sha256 its manifest records (changed
 * after installation) is refused before onnxruntime reads it, on the real forecast route; the
 * intact installation (converted from the tiny golden checkpoint) runs.
 */
let modelsDir: string;
let POST: (request: Request) => Promise<Response>;
const body = { model: '', series: [{ values: Array.from({ length: 64 }, (_, i) => Math.sin(i / 4) * 10 + 20) }], horizon: 4 };

async function forecast(model: string) {
  const response = await POST(new Request('http://localhost/api/forecast', { method: 'POST', body: JSON.stringify({ ...body, model }) }));
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  modelsDir = mkdtempSync(path.join(os.tmpdir(), 'lookahead-integrity-'));
  for (const id of ['intact', 'tampered']) {
    await convertCheckpointDir({ checkpointDir: checkpointDir('tiny-random'), outDir: path.join(modelsDir, id, 'golden'), revision: 'golden', id });
  }
  process.env.LOOKAHEAD_MODELS_DIR = modelsDir;
  ({ POST } = await import('@/app/api/forecast/route'));
}, 120_000);

afterAll(() => {
  delete process.env.LOOKAHEAD_MODELS_DIR;
  rmSync(modelsDir, { recursive: true, force: true });
});

describe('models: a model file whose sha256 does not match its manifest is refused', () => {
  it('runs the intact installation', async () => {
    const intact = await forecast('intact');
    expect(intact.status).toBe(200);
    expect(JSON.stringify(intact.json)).toMatch(/intact/);
  });

  it('refuses a file changed after installation, naming the file, both hashes and the fix', async () => {
    const directory = path.join(modelsDir, 'tampered', 'golden');
    const manifest = JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string }[] };
    const onnx = manifest.files.find((file) => file.name.endsWith('.onnx'))!;
    const file = path.join(directory, onnx.name);
    const bytes = readFileSync(file);
    // Flip one byte in the middle of the weights: the file still has its size, only the hash tells.
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(file, bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    expect(actual).not.toBe(onnx.sha256);

    const refused = await forecast('tampered');
    expect(refused.status).toBe(503);
    const text = JSON.stringify(refused.json);
    expect(text).toContain(onnx.name);
    expect(text).toContain(actual);
    expect(text).toContain(onnx.sha256);
    expect(text).toMatch(/npm run models:pull/);
    expect(text).not.toContain(modelsDir);
    // Refused again (a refused file is not cached as a session), and the intact model still runs.
    expect((await forecast('tampered')).status).toBe(503);
    expect((await forecast('intact')).status).toBe(200);
  });
});
