'use client';
import { useState, type RefObject } from 'react';
import { exportFileStem, forecastCsv, forecastJsonText, forecastParquet } from '@/lib/export';
import type { ForecastReport } from '@/lib/report/schema';
import { saveBlob, svgToPng } from './download';

/** Download the forecast as CSV, parquet or JSON, and the chart as PNG. */
export function ExportButtons({ report, chartRef }: { report: ForecastReport; chartRef: RefObject<HTMLDivElement | null> }) {
  const [error, setError] = useState<string | null>(null);
  const stem = exportFileStem(report);
  const run = (work: () => Promise<void> | void) => async () => {
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <div className="toolbar" aria-label="Export">
      <span className="note">Export:</span>
      <button type="button" className="secondary small" data-testid="export-csv" onClick={run(() => saveBlob(new Blob([forecastCsv(report)], { type: 'text/csv' }), `${stem}.csv`))}>
        CSV
      </button>
      <button
        type="button"
        className="secondary small"
        data-testid="export-parquet"
        onClick={run(() => saveBlob(new Blob([forecastParquet(report)], { type: 'application/vnd.apache.parquet' }), `${stem}.parquet`))}
      >
        Parquet
      </button>
      <button type="button" className="secondary small" data-testid="export-json" onClick={run(() => saveBlob(new Blob([forecastJsonText(report)], { type: 'application/json' }), `${stem}.json`))}>
        JSON
      </button>
      <button
        type="button"
        className="secondary small"
        data-testid="export-png"
        onClick={run(async () => {
          const svg = chartRef.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
          if (!svg) throw new Error('export: the chart is not drawn yet');
          saveBlob(await svgToPng(svg), `${stem}.png`);
        })}
      >
        Chart PNG
      </button>
      {error && (
        <span className="error inline" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
