import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { QualityPanel } from '@/components/quality-panel';
import { StaticForecastChart } from '@/components/static-forecast-chart';
import { reportQuality } from '@/lib/client/report';
import { assessQuality } from '@/lib/data/quality';
import { parseForecastReport, type ForecastReport } from '@/lib/report';
import { sampleForecastReport } from '../support/quality-report';

/**
 * The quality panel and the server-rendered chart as the shared page renders them (server HTML,
 * no JavaScript), parsed back with a DOM-free reading of the markup.
 */

const runAt = Date.UTC(2025, 0, 1, 12);
let milk: ForecastReport;

beforeAll(async () => {
  milk = await sampleForecastReport({ file: 'data/samples/monthly-milk-incomplete.csv', source: 'monthly-milk-incomplete', nowMs: runAt });
});

const panelHtml = (report: ForecastReport) => renderToStaticMarkup(createElement(QualityPanel, { quality: report.quality }));
const chartHtml = (report: ForecastReport) => renderToStaticMarkup(createElement(StaticForecastChart, { report }));

/** The opening tag of the element with this data-testid. */
function tagOf(html: string, testId: string): string {
  const match = html.match(new RegExp(`<[a-z]+ [^>]*data-testid="${testId}"[^>]*>`));
  expect(match, `no element with data-testid="${testId}"`).not.toBeNull();
  return match![0];
}

function attribute(tag: string, name: string): string | null {
  return tag.match(new RegExp(` ${name}="([^"]*)"`))?.[1] ?? null;
}

/** Text of the row with this data-testid, tags stripped. */
function rowText(html: string, testId: string): string {
  const start = html.indexOf(`data-testid="${testId}"`);
  const end = html.indexOf('</tr>', start);
  return html
    .slice(start, end)
    .replace(/^[^>]*>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('quality panel (server render)', () => {
  it('milk: one row per check with its verdict and exact numbers; the gap list and notes', () => {
    const html = panelHtml(milk);
    expect(attribute(tagOf(html, 'quality'), 'data-status')).toBe('warning');
    const missing = tagOf(html, 'quality-missing');
    expect([attribute(missing, 'data-status'), attribute(missing, 'data-count'), attribute(missing, 'data-rows')]).toEqual(['ok', '0', '155']);
    const gaps = tagOf(html, 'quality-gaps');
    expect([attribute(gaps, 'data-status'), attribute(gaps, 'data-count'), attribute(gaps, 'data-missing-steps')]).toEqual(['warning', '8', '13']);
    expect(rowText(html, 'quality-gaps')).toMatch(/^Gaps warning 13 steps of 1M absent in 8 gaps \(7\.7% of the grid\), shaded on the chart the 8 gaps between 1963-08 and 1963-10: 1 step missing/);
    const outliers = tagOf(html, 'quality-outliers');
    expect([attribute(outliers, 'data-status'), attribute(outliers, 'data-count'), attribute(outliers, 'data-threshold')]).toEqual(['ok', '0', '3.5']);
    expect(rowText(html, 'quality-outliers')).toBe('Outliers ok none with a robust z-score beyond ±3.5 (median 762, MAD 75)');
    expect(attribute(tagOf(html, 'quality-duplicates'), 'data-count')).toBe('0');
    const freshness = tagOf(html, 'quality-freshness');
    expect([attribute(freshness, 'data-status'), attribute(freshness, 'data-newest-ms')]).toEqual(['warning', String(Date.UTC(1975, 11, 1))]);
    expect(rowText(html, 'quality-freshness')).toBe(
      'Freshness warning newest point 1975-12, 49 years old as of the run (2025-01-01 12:00 UTC): more than 2 steps of 1M behind',
    );
    expect(html).toContain('<li>13 time steps of 1M are absent in 8 gaps; models see them as missing values, not stitched neighbours.</li>');
  });

  it('outliers past the list limit: the first 20 listed, "and N more"', () => {
    const values = Array.from({ length: 100 }, (_, index) => (index % 4 === 0 ? 1000 : 10 + (index % 3)));
    const quality = reportQuality(assessQuality({ timestampsMs: null, values }));
    const html = renderToStaticMarkup(createElement(QualityPanel, { quality }));
    expect(attribute(tagOf(html, 'quality-outliers'), 'data-count')).toBe('25');
    expect(html.match(/<li data-index=/g)).toHaveLength(20);
    expect(html).toContain('<li class="note">and 5 more</li>');
    expect(rowText(html, 'quality-outliers')).toMatch(/^Outliers warning 25 values with a robust z-score beyond ±3\.5 \(median 11\.5, MAD 1\), the first 20 circled on the chart the first 20 of 25 outliers /);
    expect(rowText(html, 'quality-outliers')).toContain('position 0: 1000 (z = ');
    expect(rowText(html, 'quality-gaps')).toBe('Gaps not checked no regular frequency, so gaps are not checked');
    expect(rowText(html, 'quality-freshness')).toBe('Freshness not checked no timestamps, so no age');
  });

  it('the static chart shades the gaps and circles the outliers', () => {
    const html = chartHtml(milk);
    expect(html.match(/class="quality-gap"/g)).toHaveLength(8);
    expect(html).not.toContain('quality-outlier');
    expect(html).toContain('gaps in the data');
    // A spike placed in the milk window: one circle.
    const values = milk.data.values.filter((value): value is number => value !== null);
    const timestamps = milk.data.timestampsMs!.filter((_, index) => milk.data.values[index] !== null);
    values[100] = 5000;
    const spiked = { ...milk, quality: reportQuality(assessQuality({ timestampsMs: timestamps, values, frequency: null })) };
    expect(chartHtml(spiked).match(/class="quality-outlier"/g)).toHaveLength(1);
  });

  it('a snapshot shared before quality was recorded still parses and renders: chart without marks, a panel that says so', () => {
    const old = JSON.parse(JSON.stringify({ ...milk, quality: undefined }));
    expect('quality' in old).toBe(false);
    const report = parseForecastReport(old, 'share');
    const panel = panelHtml(report);
    expect(attribute(tagOf(panel, 'quality'), 'data-status')).toBe('unknown');
    expect(panel).toContain('Not recorded: this forecast was saved before Lookahead checked data quality.');
    expect(panel).not.toContain('quality-gaps');
    const chart = chartHtml(report);
    expect(chart).toContain('class="median"');
    expect(chart).not.toContain('quality-gap');
  });
});
