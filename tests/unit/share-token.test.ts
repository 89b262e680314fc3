import { describe, expect, it } from 'vitest';
import { generateDeleteSecret, generateShareToken, hashDeleteSecret, isShareToken, TOKEN_BYTES, TOKEN_LENGTH } from '@/lib/share';

const decode = (token: string) => Buffer.from(token, 'base64url');

describe('share tokens', () => {
  it('are 24 base64url characters carrying 18 random bytes (144 bits >= 128)', () => {
    const token = generateShareToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(TOKEN_LENGTH).toBe(24);
    expect(decode(token)).toHaveLength(TOKEN_BYTES);
    expect(TOKEN_BYTES * 8).toBeGreaterThanOrEqual(128);
    // base64url without padding round-trips exactly.
    expect(decode(token).toString('base64url')).toBe(token);
  });

  it('never repeat in 20,000 draws', () => {
    const tokens = new Set(Array.from({ length: 20_000 }, generateShareToken));
    expect(tokens.size).toBe(20_000);
  });

  it('every bit is a fair coin: over 4,000 tokens each of the 144 bit positions is set 50% +- 5 sigma', () => {
    const draws = 4_000;
    const ones = new Array<number>(TOKEN_BYTES * 8).fill(0);
    for (let draw = 0; draw < draws; draw++) {
      decode(generateShareToken()).forEach((byte, index) => {
        for (let bit = 0; bit < 8; bit++) ones[index * 8 + bit]! += (byte >> bit) & 1;
      });
    }
    // Binomial(4000, 0.5): sigma = sqrt(4000) / 2 ~ 31.6; 5 sigma fails by chance once in ~3.5 million positions.
    const sigma = Math.sqrt(draws) / 2;
    for (const count of ones) expect(Math.abs(count - draws / 2)).toBeLessThan(5 * sigma);
  });

  it('isShareToken accepts only the exact shape (checked before any lookup)', () => {
    expect(isShareToken(generateShareToken())).toBe(true);
    expect(isShareToken('a'.repeat(23))).toBe(false);
    expect(isShareToken('a'.repeat(25))).toBe(false);
    expect(isShareToken(`${'a'.repeat(23)}=`)).toBe(false);
    expect(isShareToken(`${'a'.repeat(23)}/`)).toBe(false);
    expect(isShareToken("'; DROP TABLE x; --aaaaa")).toBe(false);
  });
});

describe('delete secrets', () => {
  it('are 32 random bytes (43 base64url characters), different from the token', () => {
    const secret = generateDeleteSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decode(secret)).toHaveLength(32);
  });

  it('are stored as their SHA-256 (FIPS 180-2 test vector "abc")', async () => {
    expect(await hashDeleteSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
