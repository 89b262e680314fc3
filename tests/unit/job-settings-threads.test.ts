/** LOOKAHEAD_ORT_THREADS: onnxruntime intra-op threads per worker session. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { jobSettings } from '@/lib/server/jobs/config';

describe('job worker onnxruntime threads', () => {
  it('default to the cores divided by the concurrency, at least 1', () => {
    const cores = availableParallelism();
    expect(jobSettings({}).ortThreads).toBe(cores);
    expect(jobSettings({ LOOKAHEAD_WORKER_CONCURRENCY: '2' }).ortThreads).toBe(Math.max(1, Math.floor(cores / 2)));
    expect(jobSettings({ LOOKAHEAD_WORKER_CONCURRENCY: '64' }).ortThreads).toBe(Math.max(1, Math.floor(cores / 64)));
    expect(jobSettings({ LOOKAHEAD_ORT_THREADS: '0' }).ortThreads).toBe(cores);
  });

  it('take an explicit count (one per worker process when several share a machine)', () => {
    expect(jobSettings({ LOOKAHEAD_ORT_THREADS: '1', LOOKAHEAD_WORKER_CONCURRENCY: '2' }).ortThreads).toBe(1);
    expect(jobSettings({ LOOKAHEAD_ORT_THREADS: '3' }).ortThreads).toBe(3);
  });

  it('refuse a count that is not a whole number, naming the variable', () => {
    expect(() => jobSettings({ LOOKAHEAD_ORT_THREADS: 'two' })).toThrow(/LOOKAHEAD_ORT_THREADS.*must be a whole number from 0 to 256, got "two"/);
    expect(() => jobSettings({ LOOKAHEAD_ORT_THREADS: '-1' })).toThrow(/LOOKAHEAD_ORT_THREADS/);
  });
});

describe('LOOKAHEAD_INPROCESS_WORKER', () => {
  it('empty or unset is auto; the aliases map; anything else is refused by name', () => {
    expect(jobSettings({}).inProcessWorker).toBe('auto');
    expect(jobSettings({ LOOKAHEAD_INPROCESS_WORKER: '' }).inProcessWorker).toBe('auto');
    expect(jobSettings({ LOOKAHEAD_INPROCESS_WORKER: '1' }).inProcessWorker).toBe('on');
    expect(jobSettings({ LOOKAHEAD_INPROCESS_WORKER: 'off' }).inProcessWorker).toBe('off');
    expect(() => jobSettings({ LOOKAHEAD_INPROCESS_WORKER: 'maybe' })).toThrow(/LOOKAHEAD_INPROCESS_WORKER/);
  });
});
