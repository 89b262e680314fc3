/**
 * Which compute device a browser (or worker) offers, as a table plus one resolver with an
 * ordered fallback (WebGPU -> WASM), and the reason for every fallback in words.
 */
export type WebGpuStatus = 'adapter' | 'fallback-adapter' | 'no-adapter' | 'unsupported' | 'error';

export interface DeviceReport {
  webgpu: { status: WebGpuStatus; description: string };
  /** threads: what WASM will use (the cores when cross-origin isolated, else 1); cores: navigator.hardwareConcurrency. */
  wasm: { threads: number; crossOriginIsolated: boolean; simd: boolean; cores?: number };
}

/** The page's WASM threads setting: 'auto' (every core the browser reports) or a fixed count. */
export type ThreadsSetting = 'auto' | number;

/**
 * The report with the user's threads setting applied: a fixed count replaces the automatic one, but
 * without cross-origin isolation (no SharedArrayBuffer) WASM can only run one thread.
 */
export function withThreads(report: DeviceReport, setting: ThreadsSetting = 'auto'): DeviceReport {
  if (setting === 'auto') return report;
  if (!Number.isInteger(setting) || setting < 1) {
    throw new RangeError(`device: threads must be 'auto' or a whole number >= 1, got ${String(setting)}`);
  }
  return { ...report, wasm: { ...report.wasm, threads: report.wasm.crossOriginIsolated ? setting : 1 } };
}

export type DeviceKind = 'webgpu' | 'wasm';

export interface DeviceChoice {
  device: DeviceKind;
  /** "WebGPU (SwiftShader)", "WASM, 2 threads". */
  label: string;
  /** Why this device, including why an earlier one in the order was passed over. */
  reason: string;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; device?: string };
}
interface NavigatorLike {
  gpu?: { requestAdapter(options?: unknown): Promise<GpuAdapterLike | null> };
  hardwareConcurrency?: number;
}

// The smallest valid WASM module using a SIMD instruction (v128.const), for feature detection.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);

export async function detectDevices(scope: { navigator?: NavigatorLike; crossOriginIsolated?: boolean } = globalThis as never): Promise<DeviceReport> {
  const navigatorLike = scope.navigator;
  let webgpu: DeviceReport['webgpu'];
  if (!navigatorLike?.gpu) {
    webgpu = { status: 'unsupported', description: 'this browser does not expose navigator.gpu' };
  } else {
    try {
      const adapter = await navigatorLike.gpu.requestAdapter();
      if (!adapter) {
        webgpu = { status: 'no-adapter', description: 'navigator.gpu.requestAdapter() returned no adapter' };
      } else {
        const info = adapter.info ?? {};
        const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
        // SwiftShader is Chromium's CPU implementation of WebGPU: correct, but slower than WASM.
        const software = adapter.isFallbackAdapter || /swiftshader/i.test(name);
        webgpu = software
          ? { status: 'fallback-adapter', description: `software adapter (${name})` }
          : { status: 'adapter', description: name };
      }
    } catch (error) {
      webgpu = { status: 'error', description: `requestAdapter failed: ${String(error)}` };
    }
  }
  const isolated = Boolean(scope.crossOriginIsolated);
  let simd = false;
  try {
    simd = typeof WebAssembly !== 'undefined' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  const cores = navigatorLike?.hardwareConcurrency ?? 1;
  // Without cross-origin isolation there is no SharedArrayBuffer, so WASM runs single-threaded.
  const threads = isolated ? Math.max(1, cores) : 1;
  return { webgpu, wasm: { threads, crossOriginIsolated: isolated, simd, cores } };
}

export type DevicePreference = 'auto' | DeviceKind;

export function chooseDevice(report: DeviceReport, preference: DevicePreference = 'auto'): DeviceChoice {
  const wasmLabel = `WASM, ${report.wasm.threads} thread${report.wasm.threads === 1 ? '' : 's'}${report.wasm.simd ? '' : ', no SIMD'}`;
  const wasmWhy = report.wasm.crossOriginIsolated ? '' : ' (page not cross-origin isolated, so one thread)';
  const gpuUsable = report.webgpu.status === 'adapter' || report.webgpu.status === 'fallback-adapter';
  if (preference === 'wasm') {
    return { device: 'wasm', label: wasmLabel, reason: `WASM chosen by the user${wasmWhy}` };
  }
  if (preference === 'webgpu' && gpuUsable) {
    return { device: 'webgpu', label: `WebGPU (${report.webgpu.description})`, reason: `WebGPU chosen by the user: ${report.webgpu.description}` };
  }
  if (report.webgpu.status === 'adapter') {
    return { device: 'webgpu', label: `WebGPU (${report.webgpu.description})`, reason: `WebGPU adapter found: ${report.webgpu.description}` };
  }
  if (report.webgpu.status === 'fallback-adapter') {
    // A CPU-emulated GPU (SwiftShader) computes correctly but far slower than WASM on the same cores.
    return { device: 'wasm', label: wasmLabel, reason: `WebGPU adapter is a ${report.webgpu.description}, slower than WASM; using ${wasmLabel}${wasmWhy} (choose WebGPU to use it anyway)` };
  }
  const why = `WebGPU unavailable: ${report.webgpu.description}; using ${wasmLabel}${wasmWhy}${preference === 'webgpu' ? ' although WebGPU was chosen' : ''}`;
  return { device: 'wasm', label: wasmLabel, reason: why };
}
