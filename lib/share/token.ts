/**
 * Share link tokens and delete secrets: random bytes from the Web Crypto API (the same in Node
 * and browsers), written as base64url. A token is 18 bytes = 144 bits (24 characters): more than
 * the 128 bits that make guessing hopeless, and a multiple of 3 so base64url needs no padding.
 * Only the SHA-256 of a delete secret is stored; the secret itself is shown once, to its creator.
 */

export const TOKEN_BYTES = 18;
export const DELETE_SECRET_BYTES = 32;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomBase64url(byteCount: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

export function generateShareToken(): string {
  return randomBase64url(TOKEN_BYTES);
}

export function generateDeleteSecret(): string {
  return randomBase64url(DELETE_SECRET_BYTES);
}

/** Length of a token in characters (24). */
export const TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);

/** Cheap shape check before any database lookup; a malformed token is simply not found. */
export function isShareToken(value: string): boolean {
  return value.length === TOKEN_LENGTH && BASE64URL.test(value);
}

/**
 * Hex SHA-256 of a delete secret. A fast hash is enough: the secret has 256 random bits, so there
 * is no dictionary to try (a password would need a slow, salted hash instead).
 */
export async function hashDeleteSecret(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
