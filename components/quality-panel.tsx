import type { ReactNode } from 'react';
import { formatTimestamp } from '@/lib/core/time-format';
import { asSentence, qualityFrequency, qualityRunAtMs, qualityStatuses, STALE_AFTER_STEPS, type QualityCheck, type QualityStatus } from '@/lib/report/quality';
import type { ReportQuality } from '@/lib/report/schema';
import { formatAge, formatNumber, formatPercent } from './number-format';

const STATUS_TEXT: Record<QualityStatus, string> = { ok: 'ok', warning: 'warning', unknown: 'not checked' };
const CHECK_LABEL: Record<QualityCheck, string> = {
  missing: 'Missing values',
  gaps: 'Gaps',
  outliers: 'Outliers',
  duplicates: 'Duplicate timestamps',
  freshness: 'Freshness',
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A collapsed list of the entries the report kept, saying how many it left out. */
function Listed({ listed, count, noun, testId, children }: { listed: number; count: number; noun: string; testId: string; children: ReactNode }) {
  return (
    <details className="quality-details">
      <summary>{count > listed ? `the first ${listed} of ${count} ${noun}s` : `the ${plural(count, noun)}`}</summary>
      <ul className="quality-list" data-testid={testId}>
        {children}
        {count > listed && <li className="note">and {count - listed} more</li>}
      </ul>
    </details>
  );
}

/** ", shaded on the chart" or ", the first 20 shaded on the chart": only listed entries are marked. */
const marked = (listed: number, count: number, how: string) => (listed === 0 ? '' : listed < count ? `, the first ${listed} ${how} on the chart` : `, ${how} on the chart`);

/**
 * The data-quality report of the window a run read: one row per check (missing values, gaps
 * against the frequency, robust-z outliers, duplicate timestamps, freshness at the run) with an
 * ok / warning verdict, and the report's notes. The exact numbers travel in data-* attributes.
 * No hooks: the shared page renders it on the server. Reports shared before quality was recorded
 * have none, and say so.
 */
export function QualityPanel({ quality }: { quality: ReportQuality | null | undefined }) {
  if (!quality) {
    return (
      <section className="quality" data-testid="quality" data-status="unknown" aria-label="Data quality">
        <h3>Data quality</h3>
        <p className="note">Not recorded: this forecast was saved before Lookahead checked data quality.</p>
      </section>
    );
  }
  const statuses = qualityStatuses(quality);
  const frequency = qualityFrequency(quality);
  const time = (ms: number) => formatTimestamp(ms, frequency);
  const { missing, gaps, outliers, duplicates, freshness } = quality;
  const runAtMs = qualityRunAtMs(quality);
  const scale = `median ${formatNumber(outliers.median)}, MAD ${formatNumber(outliers.mad)}`;

  const rows: { check: QualityCheck; attributes: Record<string, string | number>; detail: ReactNode }[] = [
    {
      check: 'missing',
      attributes: { 'data-count': missing.count, 'data-rows': quality.rowCount, 'data-share': missing.share ?? '' },
      detail: missing.count ? `${missing.count} of ${quality.rowCount} values (${formatPercent(missing.share)})` : `none of ${quality.rowCount} values`,
    },
    {
      check: 'gaps',
      attributes: { 'data-count': gaps.count, 'data-missing-steps': gaps.missingSteps, 'data-share': gaps.share ?? '' },
      detail: !frequency ? (
        'no regular frequency, so gaps are not checked'
      ) : gaps.count === 0 ? (
        `none: no step of ${frequency.label} is absent`
      ) : (
        <>
          {plural(gaps.missingSteps, 'step')} of {frequency.label} absent in {plural(gaps.count, 'gap')} ({formatPercent(gaps.share)} of the grid)
          {marked(gaps.list.length, gaps.count, 'shaded')}
          <Listed listed={gaps.list.length} count={gaps.count} noun="gap" testId="quality-gap-list">
            {gaps.list.map((gap) => (
              <li key={gap.fromMs} data-from-ms={gap.fromMs} data-to-ms={gap.toMs} data-missing-steps={gap.missingSteps}>
                between {time(gap.fromMs)} and {time(gap.toMs)}: {plural(gap.missingSteps, 'step')} missing
              </li>
            ))}
          </Listed>
        </>
      ),
    },
    {
      check: 'outliers',
      attributes: { 'data-count': outliers.count, 'data-threshold': outliers.threshold ?? '', 'data-median': outliers.median ?? '', 'data-mad': outliers.mad ?? '' },
      detail:
        outliers.median === null ? (
          'no values to measure'
        ) : outliers.count === 0 ? (
          `none with a robust z-score beyond ±${formatNumber(outliers.threshold)} (${scale})`
        ) : (
          <>
            {plural(outliers.count, 'value')} with a robust z-score beyond ±{formatNumber(outliers.threshold)} ({scale})
            {marked(outliers.list.length, outliers.count, 'circled')}
            <Listed listed={outliers.list.length} count={outliers.count} noun="outlier" testId="quality-outlier-list">
              {outliers.list.map((outlier) => (
                <li key={outlier.index} data-index={outlier.index} data-value={outlier.value ?? ''} data-score={outlier.score ?? ''}>
                  {outlier.timestampMs !== null ? time(outlier.timestampMs) : `position ${outlier.index}`}: {formatNumber(outlier.value)} (z = {formatNumber(outlier.score)})
                </li>
              ))}
            </Listed>
          </>
        ),
    },
    {
      check: 'duplicates',
      attributes: { 'data-count': duplicates.count },
      detail: duplicates.count
        ? `${plural(duplicates.count, 'row')} repeat an earlier timestamp: ${duplicates.timestampsMs.map(time).join(', ')}${duplicates.count > duplicates.timestampsMs.length ? ', …' : ''}`
        : 'none',
    },
    {
      check: 'freshness',
      attributes: freshness ? { 'data-newest-ms': freshness.newestMs, 'data-age-ms': freshness.ageMs ?? '' } : {},
      detail: !freshness ? (
        'no timestamps, so no age'
      ) : (
        <>
          newest point {time(freshness.newestMs)}, <strong data-testid="quality-age">{freshness.ageMs === null ? 'of unknown age' : formatAge(freshness.ageMs)}</strong>
          {runAtMs !== null ? ` as of the run (${formatTimestamp(runAtMs, null)} UTC)` : ''}
          {statuses.freshness === 'warning' ? `: more than ${STALE_AFTER_STEPS} steps of ${frequency!.label} behind` : ''}
          {statuses.freshness === 'unknown' ? ' (no frequency to judge it against)' : ''}
        </>
      ),
    },
  ];

  const warnings = rows.filter((row) => statuses[row.check] === 'warning').length;
  return (
    <section className="quality" data-testid="quality" data-status={warnings ? 'warning' : 'ok'} aria-label="Data quality">
      <h3>
        Data quality <span className="note">of the {plural(quality.rowCount, 'row')} read{quality.frequency ? `, ${quality.frequency}` : ''}</span>
      </h3>
      <table className="quality-table">
        <tbody>
          {rows.map((row) => (
            <tr key={row.check} data-testid={`quality-${row.check}`} data-status={statuses[row.check]} {...row.attributes}>
              <th scope="row">{CHECK_LABEL[row.check]}</th>
              <td>
                <span className={`quality-status ${statuses[row.check]}`}>{STATUS_TEXT[statuses[row.check]]}</span>
              </td>
              <td>{row.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {quality.notes.length > 0 && (
        <ul className="quality-notes" data-testid="quality-notes">
          {quality.notes.map((note) => (
            <li key={note}>{asSentence(note)}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
