import { LookaheadError } from '@/lib/core/errors';
import { parseForecastConfigJson, type ForecastConfig } from './schema';

/**
 * A configuration carried in a URL (`/?config=<base64url JSON>`): "open in workbench" and
 * "copy link to this configuration". base64url keeps the query free of escapes.
 */

/** Longer parameters are refused: a configuration is under 2 kB; anything bigger is not one. */
export const MAX_CONFIG_PARAM_LENGTH = 16_384;

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

export function encodeConfigParam(config: ForecastConfig): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(config)));
}

/** Throws LookaheadError('config', 'bad_input') for a parameter that is not a valid configuration. */
export function decodeConfigParam(param: string): ForecastConfig {
  if (param.length > MAX_CONFIG_PARAM_LENGTH) {
    throw new LookaheadError('config', 'bad_input', `the config parameter is ${param.length} characters; the limit is ${MAX_CONFIG_PARAM_LENGTH}`);
  }
  if (!/^[A-Za-z0-9_-]*$/.test(param)) {
    throw new LookaheadError('config', 'bad_input', 'the config parameter is not base64url (A-Z, a-z, 0-9, - and _)');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(param));
  } catch (error) {
    throw new LookaheadError('config', 'bad_input', 'the config parameter does not decode to UTF-8 text', { cause: error });
  }
  return parseForecastConfigJson(text);
}

export function workbenchHref(config: ForecastConfig): string {
  return `/?config=${encodeConfigParam(config)}`;
}
