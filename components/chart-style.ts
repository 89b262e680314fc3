/**
 * Chart colours as literal values (not CSS variables): the PNG export draws the SVG on its own,
 * outside the page's stylesheet, and the server-rendered chart uses the same palette.
 */
export const CHART_COLORS = {
  history: '#334155',
  median: '#2563eb',
  band: '#2563eb',
  backtest: '#d97706',
  grid: '#eef1f4',
  axis: '#5b6470',
  cutoff: '#94a3b8',
  /** Quality marks: shaded gaps, circled outliers. */
  gap: '#f59e0b',
  outlier: '#b91c1c',
} as const;

/** Fill opacity per band, widest first: nested bands darken towards the median. */
export function bandOpacity(index: number): number {
  return index === 0 ? 0.14 : 0.12;
}

export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';
