'use client';
import { useMemo, useState } from 'react';
import { visibleRows } from '@/lib/core/row-window';
import type { ForecastReport } from '@/lib/report/schema';
import { ForecastTable, ForecastTableFrame, ForecastTableRow, forecastTableRows } from './forecast-table';

/** Horizons up to this many steps are rendered whole; longer ones only the rows in view. */
export const VIRTUAL_TABLE_MIN_ROWS = 200;
/**
 * Every row's fixed height in px: above the table's natural row (0.8rem text, padding and border
 * come to ~26.6 px in Chromium), so each row is exactly this tall and the spacer arithmetic holds.
 */
const ROW_HEIGHT = 28;
const VIEWPORT_HEIGHT = 480;

/**
 * The forecast table for the workbench: a 10,000-step horizon would be 10,000 rows of DOM, so a
 * long table scrolls in a fixed-height box that renders the rows in view and spacer rows for the
 * rest (data-rows holds the full count). Short tables are the plain ForecastTable.
 */
export function VirtualForecastTable({ report }: { report: ForecastReport }) {
  const rows = useMemo(() => forecastTableRows(report), [report]);
  const [scrollTop, setScrollTop] = useState(0);
  if (rows.count <= VIRTUAL_TABLE_MIN_ROWS) return <ForecastTable report={report} />;
  const { from, to } = visibleRows({ scrollTop, viewportHeight: VIEWPORT_HEIGHT, rowHeight: ROW_HEIGHT, count: rows.count });
  const height = { height: ROW_HEIGHT, whiteSpace: 'nowrap' as const };
  return (
    <div
      data-testid="forecast-table-viewport"
      data-rows={rows.count}
      style={{ maxHeight: VIEWPORT_HEIGHT, overflowY: 'auto' }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <ForecastTableFrame report={report}>
        {from > 0 && <tr aria-hidden="true" data-spacer="" style={{ height: from * ROW_HEIGHT }} />}
        {Array.from({ length: to - from }, (_, offset) => (
          <ForecastTableRow key={from + offset} rows={rows} step={from + offset} style={height} />
        ))}
        {to < rows.count && <tr aria-hidden="true" data-spacer="" style={{ height: (rows.count - to) * ROW_HEIGHT }} />}
      </ForecastTableFrame>
    </div>
  );
}
