import type { TestProject } from 'vitest/node';
import { findChromium, MISSING_CHROMIUM_MESSAGE } from '../support/chromium';
import { startAppServer } from '../support/app-server';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}

/** One production server for all e2e files; missing Chromium fails the run with how to install it. */
export default async function setup(project: TestProject) {
  if (!findChromium()) throw new Error(MISSING_CHROMIUM_MESSAGE);
  const server = await startAppServer();
  project.provide('appUrl', server.url);
  return () => server.stop();
}
