export { detectDevices, chooseDevice, withThreads, type DeviceReport, type DeviceChoice, type DeviceKind, type DevicePreference, type ThreadsSetting, type WebGpuStatus } from './device';
export { loadAugurs, AUGURS_WASM_FILES, type AugursRuntime, type AugursWasmSource } from './augurs';
