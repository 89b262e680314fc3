'use client';
import { useRef, useState } from 'react';
import type { SeriesArrays } from '@/lib/client/protocol';
import type { ForecastReport } from '@/lib/report/schema';
import { ComparisonTable } from './comparison-table';
import { ExportButtons } from './export-buttons';
import { ForecastChart } from './forecast-chart';
import { QualityPanel } from './quality-panel';
import { SharePanel } from './share-panel';
import { VirtualForecastTable } from './virtual-forecast-table';

/** The workbench's result: what ran and how fast, the chart, the data's quality, the comparison, the numbers, exports and sharing. */
export function ReportView({ report, history = null }: { report: ForecastReport; /** The worker's typed arrays of report.data, for the chart. */ history?: SeriesArrays | null }) {
  const chartRef = useRef<HTMLDivElement>(null);
  const [overlayModelId, setOverlayModelId] = useState(report.model.id);
  const backtest = report.backtest;
  const overlayChoices = backtest?.models.filter((entry) => entry.windows.length > 0) ?? [];
  const contextPoints = backtest ? report.config.context : report.data.values.length;
  return (
    <div data-testid="result">
      <p className="status" data-testid="runtime">
        {report.model.label} on {contextPoints} points · computed with <strong>{report.runtime.label}</strong> in{' '}
        <strong data-testid="elapsed">{report.timings.totalMs.toFixed(0)} ms</strong> (fetch {report.timings.fetchMs.toFixed(0)} ms, fit {report.timings.fitMs.toFixed(0)} ms,
        forecast {report.timings.forecastMs.toFixed(0)} ms{backtest ? `, ${backtest.models.length} models × ${backtest.windows.length} backtest windows` : ''})
      </p>
      {overlayChoices.length > 0 && (
        <div className="toolbar">
          <label htmlFor="overlay-model" className="inline-label">
            Backtest forecasts shown
          </label>
          <select id="overlay-model" value={overlayModelId} onChange={(event) => setOverlayModelId(event.target.value)}>
            {overlayChoices.map((entry) => (
              <option key={entry.model.id} value={entry.model.id}>
                {entry.model.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <ForecastChart ref={chartRef} report={report} history={history} backtestModelId={overlayModelId} />
      <ExportButtons report={report} chartRef={chartRef} />
      {report.forecast.notes.map((note) => (
        <p className="note" key={note}>
          {note}
        </p>
      ))}
      <QualityPanel quality={report.quality} />
      {backtest && (
        <section aria-label="Model comparison">
          <h3>Backtest comparison</h3>
          <ComparisonTable backtest={backtest} shownModelId={report.model.id} />
        </section>
      )}
      <details open>
        <summary>Forecast values</summary>
        <VirtualForecastTable report={report} />
      </details>
      <SharePanel report={report} />
    </div>
  );
}
