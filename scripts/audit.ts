import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CI dependency check: `npm audit --omit=dev`, failing on high or critical advisories that have a
 * fix, unless .ci/audit-allowlist.json lists them with a reason. When the registry's audit
 * endpoint cannot be reached (an offline machine), it says so and passes: it cannot judge.
 */
export interface AllowEntry {
  advisory: string;
  package: string;
  reason: string;
}

interface AuditVia {
  source?: number;
  url?: string;
  severity?: string;
  title?: string;
}

interface AuditReport {
  vulnerabilities?: Record<string, { severity: string; fixAvailable: unknown; via: (AuditVia | string)[] }>;
}

export function parseAllowList(text: string): AllowEntry[] {
  const parsed = JSON.parse(text) as { allow?: unknown };
  if (!Array.isArray(parsed.allow)) throw new Error('audit: .ci/audit-allowlist.json needs an "allow" array');
  return parsed.allow.map((entry: Partial<AllowEntry>, index) => {
    if (!entry.advisory || !entry.package || !entry.reason || entry.reason.trim().length < 10) {
      throw new Error(`audit: allow-list entry ${index + 1} needs "advisory", "package" and a "reason" that says why (at least a sentence)`);
    }
    return entry as AllowEntry;
  });
}

/** The blocking findings: high or critical, fix available, not allow-listed. */
export function blockingAdvisories(report: AuditReport, allow: AllowEntry[]): string[] {
  const blocking: string[] = [];
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
    if (!['high', 'critical'].includes(vulnerability.severity) || !vulnerability.fixAvailable) continue;
    const advisories = vulnerability.via.filter((via): via is AuditVia => typeof via === 'object');
    // A package flagged only through another one ("via" names) is reported under that package.
    for (const advisory of advisories) {
      const ids = [advisory.url, advisory.source === undefined ? undefined : String(advisory.source)].filter(Boolean) as string[];
      if (allow.some((entry) => entry.package === name && ids.includes(entry.advisory))) continue;
      blocking.push(`${name}: ${advisory.severity} ${advisory.title ?? ''} ${advisory.url ?? ''}`.trim());
    }
  }
  return blocking;
}

function main(): void {
  const allow = parseAllowList(readFileSync('.ci/audit-allowlist.json', 'utf8'));
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
  let report: AuditReport & { error?: { summary?: string } };
  try {
    report = JSON.parse(run.stdout) as typeof report;
  } catch {
    report = { error: { summary: run.stderr.split('\n').find((line) => line.includes('audit')) ?? 'no JSON from npm audit' } };
  }
  if (report.error || !report.vulnerabilities) {
    console.warn(`audit: SKIPPED: npm audit could not reach the registry's audit endpoint (${report.error?.summary || 'npm audit gave no report'}); run it where the registry answers`);
    return;
  }
  const blocking = blockingAdvisories(report, allow);
  if (blocking.length > 0) {
    console.error(`audit: ${blocking.length} high/critical advisories with a fix (update, or allow-list with a reason in .ci/audit-allowlist.json):\n${blocking.join('\n')}`);
    process.exit(1);
  }
  console.log(`audit: no high/critical advisory with a fix (${allow.length} allow-listed)`);
}

if (process.argv[1]?.endsWith('audit.ts')) main();
