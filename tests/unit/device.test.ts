import { describe, expect, it } from 'vitest';
import { chooseDevice, detectDevices, withThreads } from '@/lib/runtime/device';

const gpuWith = (adapter: { isFallbackAdapter?: boolean; info?: Record<string, string> } | null) => ({ gpu: { requestAdapter: async () => adapter }, hardwareConcurrency: 8 });

describe('device detection and choice', () => {
  it('uses a hardware WebGPU adapter', async () => {
    const report = await detectDevices({ navigator: gpuWith({ info: { vendor: 'nvidia', architecture: 'ampere' } }), crossOriginIsolated: true });
    expect(report.webgpu).toEqual({ status: 'adapter', description: 'nvidia ampere' });
    expect(report.wasm.threads).toBe(8);
    expect(report.wasm.cores).toBe(8);
    expect(chooseDevice(report)).toEqual({ device: 'webgpu', label: 'WebGPU (nvidia ampere)', reason: 'WebGPU adapter found: nvidia ampere' });
  });

  it('prefers WASM over a software adapter (SwiftShader) unless WebGPU is chosen', async () => {
    const report = await detectDevices({ navigator: gpuWith({ info: { vendor: 'google', architecture: 'swiftshader' } }), crossOriginIsolated: true });
    expect(report.webgpu.status).toBe('fallback-adapter');
    const auto = chooseDevice(report);
    expect(auto.device).toBe('wasm');
    expect(auto.reason).toMatch(/^WebGPU adapter is a software adapter \(google swiftshader\), slower than WASM; using WASM, 8 threads/);
    expect(chooseDevice(report, 'webgpu').device).toBe('webgpu');
  });

  it('says why WebGPU is unavailable: no navigator.gpu, no adapter, error', async () => {
    const none = await detectDevices({ navigator: { hardwareConcurrency: 2 }, crossOriginIsolated: false });
    expect(chooseDevice(none).reason).toBe('WebGPU unavailable: this browser does not expose navigator.gpu; using WASM, 1 thread (page not cross-origin isolated, so one thread)');
    const noAdapter = await detectDevices({ navigator: gpuWith(null), crossOriginIsolated: true });
    expect(chooseDevice(noAdapter).reason).toContain('WebGPU unavailable: navigator.gpu.requestAdapter() returned no adapter');
    const failing = await detectDevices({ navigator: { gpu: { requestAdapter: async () => Promise.reject(new Error('boom')) } }, crossOriginIsolated: true });
    expect(failing.webgpu).toEqual({ status: 'error', description: 'requestAdapter failed: Error: boom' });
    expect(chooseDevice(noAdapter, 'webgpu').reason).toContain('although WebGPU was chosen');
  });

  it('honours an explicit WASM choice', async () => {
    const report = await detectDevices({ navigator: gpuWith({ info: { vendor: 'apple' } }), crossOriginIsolated: true });
    expect(chooseDevice(report, 'wasm')).toMatchObject({ device: 'wasm', reason: 'WASM chosen by the user' });
  });

  it('applies the threads setting: auto is every core, a count replaces it, one thread without isolation', async () => {
    const report = await detectDevices({ navigator: { hardwareConcurrency: 6 }, crossOriginIsolated: true });
    expect(chooseDevice(withThreads(report, 'auto'), 'wasm').label).toBe('WASM, 6 threads');
    expect(chooseDevice(withThreads(report, 2), 'wasm').label).toBe('WASM, 2 threads');
    expect(chooseDevice(withThreads(report, 1), 'wasm').label).toBe('WASM, 1 thread');
    expect(report.wasm.threads).toBe(6);
    const notIsolated = await detectDevices({ navigator: { hardwareConcurrency: 6 }, crossOriginIsolated: false });
    expect(withThreads(notIsolated, 4).wasm.threads).toBe(1);
    expect(() => withThreads(report, 0)).toThrow(/threads must be 'auto' or a whole number >= 1, got 0/);
    expect(() => withThreads(report, 1.5)).toThrow(/got 1.5/);
  });
});
