import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];

export const MISSING_CHROMIUM_MESSAGE =
  'e2e: no Chromium found (looked at CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome). ' +
  'Install one with `apt-get install -y chromium` (Debian/Ubuntu) or `npx playwright install chromium` and set CHROMIUM_PATH to its executable.';

export function findChromium(): string | null {
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * Headless Chromium with no calls to Google's services, and software WebGPU (SwiftShader) unless
 * `webgpu: false` (the benchmark measures WASM alone); `extraArgs` add flags.
 */
export async function launchChromium({ webgpu = true, extraArgs = [] }: { webgpu?: boolean; extraArgs?: string[] } = {}): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(MISSING_CHROMIUM_MESSAGE);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader'] : []),
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
}
