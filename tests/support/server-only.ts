// server-only is a Next.js build-time guard; under vitest (Node) every module is server-side, so it is a no-op here.
export {};
