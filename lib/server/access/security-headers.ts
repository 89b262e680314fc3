import { randomBytes } from 'node:crypto';
import { overTls } from './request-origin';

/**
 * Headers on every response. The CSP allows scripts only from this origin and with this
 * response's nonce ('strict-dynamic' lets those load the chunks they import), WASM compilation
 * ('wasm-unsafe-eval', for onnxruntime-web and augurs), workers from this origin; inline style
 * attributes stay allowed (charts set them) but no inline script does. HSTS only behind TLS.
 */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * Origins the browser worker may fetch model files from besides this one: the hub
 * (LOOKAHEAD_HUB_URL), and for the public hub its file CDNs, which its downloads redirect to.
 */
export function hubConnectSources(env: Record<string, string | undefined>): string[] {
  const configured = env.LOOKAHEAD_HUB_URL?.trim();
  if (!configured) return ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];
  try {
    const origin = new URL(configured).origin;
    return origin === 'https://huggingface.co' ? ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'] : [origin];
  } catch {
    return [];
  }
}

export function contentSecurityPolicy(nonce: string, { development = false, connect = hubConnectSources(process.env) }: { development?: boolean; connect?: readonly string[] } = {}): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self' data:`,
    `connect-src 'self'${connect.map((source) => ` ${source}`).join('')}`,
    `worker-src 'self' blob:`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

export function securityHeaders(nonce: string, requestHeaders: Headers, env: Record<string, string | undefined>): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(nonce, { development: env.NODE_ENV === 'development', connect: hubConnectSources(env) }),
    ...headersBesidesCsp(requestHeaders, env),
  };
}

/** The security headers that do not depend on the document (all but the CSP). */
export function headersBesidesCsp(requestHeaders: Headers, env: Record<string, string | undefined>): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...(overTls(requestHeaders, env) ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}
