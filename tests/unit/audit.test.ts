import { describe, expect, it } from 'vitest';
import { blockingAdvisories, parseAllowList } from '@/scripts/audit';

const report = {
  vulnerabilities: {
    lodash: { severity: 'high', fixAvailable: true, via: [{ source: 1, url: 'https://github.com/advisories/GHSA-aaaa', severity: 'high', title: 'Prototype pollution' }] },
    minimist: { severity: 'critical', fixAvailable: false, via: [{ source: 2, url: 'https://github.com/advisories/GHSA-bbbb', severity: 'critical', title: 'no fix yet' }] },
    qs: { severity: 'moderate', fixAvailable: true, via: [{ source: 3, url: 'https://github.com/advisories/GHSA-cccc', severity: 'moderate' }] },
    wrapper: { severity: 'high', fixAvailable: true, via: ['lodash'] },
  },
};

describe('npm audit gate', () => {
  it('blocks high/critical advisories that have a fix, only', () => {
    expect(blockingAdvisories(report, [])).toEqual(['lodash: high Prototype pollution https://github.com/advisories/GHSA-aaaa']);
  });

  it('an allow-listed advisory with a reason passes', () => {
    const allow = parseAllowList(JSON.stringify({ allow: [{ advisory: 'https://github.com/advisories/GHSA-aaaa', package: 'lodash', reason: 'only reached by the build, never at run time' }] }));
    expect(blockingAdvisories(report, allow)).toEqual([]);
  });

  it('refuses an allow-list entry without a reason', () => {
    expect(() => parseAllowList(JSON.stringify({ allow: [{ advisory: 'x', package: 'lodash', reason: '' }] }))).toThrow('audit: allow-list entry 1 needs "advisory", "package" and a "reason"');
  });

  it('the committed allow-list parses', async () => {
    const { readFileSync } = await import('node:fs');
    expect(() => parseAllowList(readFileSync('.ci/audit-allowlist.json', 'utf8'))).not.toThrow();
  });
});
