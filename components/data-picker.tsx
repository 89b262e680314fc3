'use client';
import { useEffect, useRef, useState } from 'react';
import { AGGREGATIONS, type Aggregation, type ForecastConfig } from '@/lib/config';
import type { SourceSummary } from '@/lib/server/sources';

/**
 * The data half of the settings: which source (sample, database table, parquet files, stored
 * upload), which columns play which role (timestamp, target, entity), which series, and what the
 * server filters and downsamples before the window comes back. Lists come from the source routes
 * (/tables, /columns, /series); nothing here ever sees a database URL.
 */

export type DataSelection = Pick<ForecastConfig, 'source' | 'table' | 'time' | 'entity' | 'series' | 'target' | 'covariates' | 'window' | 'filters' | 'downsample'>;

/** What the rest of the page needs to know about the chosen data. */
export interface DataFacts {
  /** Title of reports: "ETTh1", "Warehouse: public.load · plant-7". */
  name: string;
  /** Known sampling frequency (a sample's, an upload's, or the downsampling bucket); null = inferred when read. */
  frequency: string | null;
}

/** A CSV kept only in this tab (the server refused to store it): its source id and columns. */
export interface LocalUpload {
  sourceId: string;
  name: string;
  columns: string[];
  frequency: string | null;
}

interface ColumnInfo {
  name: string;
  type: string;
  kind: 'timestamp' | 'number' | 'text' | 'other';
}
interface SeriesInfo {
  id: string;
  rowCount: number;
  start: string | null;
  end: string | null;
}
interface Catalog {
  tables: { key: string; kind: string; hypertable: boolean }[] | null;
  columns: ColumnInfo[] | null;
  suggested: { time: string | null; targets: string[]; entity: string | null } | null;
  /** Parquet: entities come from file names (pattern {entity}). */
  entityFromFileName: boolean;
  series: SeriesInfo[] | null;
  seriesTruncated: boolean;
  downsampling: string | null;
}

const EMPTY_CATALOG: Catalog = { tables: null, columns: null, suggested: null, entityFromFileName: false, series: null, seriesTruncated: false, downsampling: null };

/** A fresh selection of `source`: roles, series, filters and downsampling start empty. */
export function blankSelection(source: string, target = ''): DataSelection {
  return {
    source,
    table: null,
    time: null,
    entity: null,
    series: '',
    target,
    covariates: [],
    window: { start: null, end: null },
    filters: { min: null, max: null, excludeNulls: false },
    downsample: null,
  };
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  const body = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok || !body) throw new Error(body?.error?.message ?? `${url.split('?')[0]} answered HTTP ${response.status}`);
  return body;
}

function sourceKind(sources: readonly SourceSummary[], id: string): SourceSummary['kind'] | 'local' | null {
  return sources.find((source) => source.id === id)?.kind ?? null;
}

function rangeText(series: SeriesInfo): string {
  const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '?');
  return `${series.rowCount.toLocaleString('en')} rows, ${day(series.start)} → ${day(series.end)}`;
}

/** The facts of a selection, from the source list (and the local upload, if that is the source). */
export function dataFacts(sources: readonly SourceSummary[], selection: DataSelection, local: LocalUpload | null): DataFacts {
  if (local && selection.source === local.sourceId) return { name: local.name, frequency: local.frequency };
  const source = sources.find((candidate) => candidate.id === selection.source);
  if (!source) return { name: selection.source, frequency: null };
  const bucket = selection.downsample?.bucket ?? null;
  switch (source.kind) {
    case 'dataset':
      return { name: source.name, frequency: source.frequency };
    case 'upload':
      return { name: source.name, frequency: bucket ?? source.frequency };
    case 'sql':
      return { name: [source.name, selection.table, selection.series].filter(Boolean).join(' · '), frequency: bucket };
    case 'parquet':
      return { name: [source.name, selection.series].filter(Boolean).join(' · '), frequency: bucket };
  }
}

export interface DataPickerProps {
  sources: SourceSummary[];
  local: LocalUpload | null;
  selection: DataSelection;
  onChange: (next: DataSelection) => void;
}

export function DataPicker({ sources, local, selection, onChange }: DataPickerProps) {
  const [catalog, setCatalog] = useState<Catalog>(EMPTY_CATALOG);
  const [loading, setLoading] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  /** Set when the user picks a source or table: the next column list fills the roles with the server's suggestion. */
  const suggestRoles = useRef(false);
  const latest = useRef(selection);
  latest.current = selection;

  const kind = local && selection.source === local.sourceId ? 'local' : sourceKind(sources, selection.source);
  /** Sources whose columns the server introspects: database tables, parquet files, stored uploads. */
  const external = kind === 'sql' || kind === 'parquet' || kind === 'upload';
  const source = sources.find((candidate) => candidate.id === selection.source);
  const base = `/api/sources/${encodeURIComponent(selection.source)}`;

  // Database sources: the tables it may read.
  useEffect(() => {
    setCatalog(EMPTY_CATALOG);
    setProblem(null);
    if (kind !== 'sql') return;
    const controller = new AbortController();
    setLoading('tables');
    getJson<{ tables: Catalog['tables']; downsampling: string }>(`${base}/tables`, controller.signal)
      .then((body) => {
        setCatalog((current) => ({ ...current, tables: body.tables, downsampling: body.downsampling }));
        const tables = body.tables ?? [];
        if (!latest.current.table && tables[0]) {
          suggestRoles.current = true;
          onChange({ ...latest.current, table: tables[0].key });
        }
        if (tables.length === 0) {
          setProblem(
            selection.source === 'app'
              ? 'the app database holds no tables of your own yet (its own tables are hidden); load some with npm run ingest -- <files>, or add a database to LOOKAHEAD_SOURCES'
              : `source "${selection.source}" has no table this server may read; check its schema allow-list in LOOKAHEAD_SOURCES`,
          );
        }
      })
      .catch((failure: Error) => controller.signal.aborted || setProblem(failure.message))
      .finally(() => controller.signal.aborted || setLoading(null));
    return () => controller.abort();
    // onChange is the parent's setter wrapper; the source id alone decides what to load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selection.source, kind]);

  // Columns (and suggested roles) of the table, or of the parquet files.
  useEffect(() => {
    if (!external) return;
    if (kind === 'sql' && !selection.table) return;
    const controller = new AbortController();
    setLoading('columns');
    const query = kind === 'sql' ? `?${new URLSearchParams({ table: selection.table! })}` : '';
    getJson<{ columns: ColumnInfo[]; suggested: Catalog['suggested']; entityFromFileName?: boolean }>(`${base}/columns${query}`, controller.signal)
      .then((body) => {
        setCatalog((current) => ({ ...current, columns: body.columns, suggested: body.suggested, entityFromFileName: Boolean(body.entityFromFileName), series: null }));
        setProblem(null);
        const current = latest.current;
        if (suggestRoles.current || !current.target) {
          suggestRoles.current = false;
          const suggested = body.suggested;
          onChange({ ...current, time: suggested?.time ?? null, entity: suggested?.entity ?? null, target: suggested?.targets[0] ?? '', series: '', covariates: [] });
        }
      })
      .catch((failure: Error) => controller.signal.aborted || setProblem(failure.message))
      .finally(() => controller.signal.aborted || setLoading(null));
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selection.source, selection.table, kind]);

  // The series of a multi-series table (entity column) or of parquet files named by entity.
  const multiSeries = external && (selection.entity !== null || (kind === 'parquet' && catalog.entityFromFileName));
  useEffect(() => {
    if (!multiSeries || !catalog.columns || !selection.time) return;
    const controller = new AbortController();
    const params = new URLSearchParams();
    if (selection.table) params.set('table', selection.table);
    params.set('time', selection.time);
    if (selection.entity) params.set('entity', selection.entity);
    setLoading('series');
    getJson<{ series: SeriesInfo[]; truncated: boolean }>(`${base}/series?${params}`, controller.signal)
      .then((body) => {
        setCatalog((current) => ({ ...current, series: body.series, seriesTruncated: body.truncated }));
        const current = latest.current;
        if (!current.series && body.series[0]) onChange({ ...current, series: body.series[0].id });
      })
      .catch((failure: Error) => controller.signal.aborted || setProblem(failure.message))
      .finally(() => controller.signal.aborted || setLoading(null));
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [multiSeries, catalog.columns, selection.source, selection.table, selection.time, selection.entity]);

  const chooseSource = (id: string) => {
    const chosen = sources.find((candidate) => candidate.id === id);
    suggestRoles.current = true;
    if (local && id === local.sourceId) return onChange(blankSelection(id, local.columns.at(-1) ?? ''));
    if (chosen?.kind === 'dataset') return onChange(blankSelection(id, chosen.columns.at(-1) ?? ''));
    onChange(blankSelection(id));
  };

  const update = (patch: Partial<DataSelection>) => onChange({ ...selection, ...patch });
  const numberOrNull = (text: string) => (text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text));
  const isoOrNull = (text: string) => (text.trim() === '' ? null : text.trim());

  const columns = catalog.columns ?? [];
  const targets =
    kind === 'dataset' && source?.kind === 'dataset'
      ? source.columns
      : kind === 'local'
          ? (local?.columns ?? [])
        : columns.filter((column) => column.kind === 'number' && column.name !== selection.entity).map((column) => column.name);
  const covariateChoices = external ? targets.filter((name) => name !== selection.target) : [];
  const filtersApply = kind !== 'dataset' && kind !== 'local';
  const chosenSeries = catalog.series?.find((entry) => entry.id === selection.series);
  const groups: [string, SourceSummary['kind']][] = [
    ['Samples', 'dataset'],
    ['Databases', 'sql'],
    ['Parquet files', 'parquet'],
    ['Uploads', 'upload'],
  ];

  return (
    <fieldset className="data-picker" aria-label="Data">
      <label htmlFor="source">Data</label>
      <select id="source" value={selection.source} onChange={(event) => chooseSource(event.target.value)}>
        {groups.map(([label, groupKind]) => {
          const members = sources.filter((candidate) => candidate.kind === groupKind);
          if (members.length === 0) return null;
          return (
            <optgroup key={groupKind} label={label}>
              {members.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.kind === 'dataset' || candidate.kind === 'upload'
                    ? `${candidate.name} (${candidate.rowCount.toLocaleString('en')} rows${candidate.frequency ? `, ${candidate.frequency}` : ''})`
                    : candidate.name}
                </option>
              ))}
            </optgroup>
          );
        })}
        {local && <option value={local.sourceId}>This tab only: {local.name}</option>}
      </select>

      {kind === 'sql' && (
        <>
          <label htmlFor="table">Table</label>
          <select
            id="table"
            value={selection.table ?? ''}
            onChange={(event) => {
              suggestRoles.current = true;
              update({ table: event.target.value || null, series: '' });
            }}
          >
            {!selection.table && <option value="">{loading === 'tables' ? 'loading…' : 'choose a table'}</option>}
            {(catalog.tables ?? []).map((table) => (
              <option key={table.key} value={table.key}>
                {table.key}
                {table.hypertable ? ' (hypertable)' : table.kind === 'view' ? ' (view)' : ''}
              </option>
            ))}
            {selection.table && !(catalog.tables ?? []).some((table) => table.key === selection.table) && <option value={selection.table}>{selection.table}</option>}
          </select>
        </>
      )}

      {external && (
        <div className="pair">
          <div>
            <label htmlFor="time-column">Timestamp column</label>
            <select id="time-column" value={selection.time ?? ''} onChange={(event) => update({ time: event.target.value || null, series: '' })}>
              {!selection.time && <option value="">{loading === 'columns' ? 'loading…' : 'choose'}</option>}
              {columns
                .filter((column) => column.kind === 'timestamp' || column.name === selection.time)
                .map((column) => (
                  <option key={column.name} value={column.name}>
                    {column.name}
                  </option>
                ))}
            </select>
          </div>
          <div>
            <label htmlFor="entity-column">Series id column</label>
            <select id="entity-column" value={selection.entity ?? ''} onChange={(event) => update({ entity: event.target.value || null, series: '' })}>
              <option value="">{catalog.entityFromFileName ? 'none (series from file names)' : 'none (one series)'}</option>
              {columns
                .filter((column) => column.kind === 'text' || column.kind === 'number' || column.name === selection.entity)
                .filter((column) => column.name !== selection.time)
                .map((column) => (
                  <option key={column.name} value={column.name}>
                    {column.name}
                  </option>
                ))}
            </select>
          </div>
        </div>
      )}

      <label htmlFor="column">Target column</label>
      <select id="column" value={selection.target} onChange={(event) => update({ target: event.target.value, covariates: selection.covariates.filter((name) => name !== event.target.value) })}>
        {!targets.includes(selection.target) && <option value={selection.target}>{selection.target || (loading ? 'loading…' : 'choose')}</option>}
        {targets.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>

      {external && covariateChoices.length > 0 && (
        <div className="checks" role="group" aria-label="Covariates">
          <span className="note">Covariates (kept in the configuration for models that read them; the current models forecast the target from its own history):</span>
          {covariateChoices.map((name) => (
            <label key={name} className="check">
              <input
                type="checkbox"
                name="covariate"
                value={name}
                checked={selection.covariates.includes(name)}
                onChange={(event) =>
                  update({ covariates: covariateChoices.filter((candidate) => (candidate === name ? event.target.checked : selection.covariates.includes(candidate))) })
                }
              />{' '}
              {name}
            </label>
          ))}
        </div>
      )}

      {multiSeries && (
        <>
          <label htmlFor="series">Series</label>
          <select id="series" value={selection.series} onChange={(event) => update({ series: event.target.value })}>
            {!catalog.series?.some((entry) => entry.id === selection.series) && <option value={selection.series}>{selection.series || (loading === 'series' ? 'loading…' : 'choose')}</option>}
            {(catalog.series ?? []).map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.id} ({rangeText(entry)})
              </option>
            ))}
          </select>
          {catalog.seriesTruncated && <p className="note">Only the first {catalog.series?.length.toLocaleString('en')} series are listed; type-ahead in the list to find one.</p>}
        </>
      )}
      {chosenSeries && (
        <p className="note" data-testid="series-range">
          {rangeText(chosenSeries)}
        </p>
      )}

      <details className="filters" open={Boolean(selection.window.start || selection.filters.min !== null || selection.filters.max !== null || selection.filters.excludeNulls || selection.downsample)}>
        <summary>Time range, filters and downsampling</summary>
        <div className="pair">
          <div>
            <label htmlFor="window-start">From (ISO time; empty = as needed)</label>
            <input id="window-start" type="text" placeholder="oldest needed" value={selection.window.start ?? ''} onChange={(event) => update({ window: { ...selection.window, start: isoOrNull(event.target.value) } })} />
          </div>
          <div>
            <label htmlFor="window-end">Data up to (ISO time; empty = newest)</label>
            <input id="window-end" type="text" placeholder="newest" value={selection.window.end ?? ''} onChange={(event) => update({ window: { ...selection.window, end: isoOrNull(event.target.value) } })} />
          </div>
        </div>
        {filtersApply ? (
          <>
            <div className="pair">
              <div>
                <label htmlFor="filter-min">Drop values below</label>
                <input id="filter-min" type="number" value={selection.filters.min ?? ''} onChange={(event) => update({ filters: { ...selection.filters, min: numberOrNull(event.target.value) } })} />
              </div>
              <div>
                <label htmlFor="filter-max">Drop values above</label>
                <input id="filter-max" type="number" value={selection.filters.max ?? ''} onChange={(event) => update({ filters: { ...selection.filters, max: numberOrNull(event.target.value) } })} />
              </div>
            </div>
            <label className="check">
              <input id="exclude-nulls" type="checkbox" checked={selection.filters.excludeNulls} onChange={(event) => update({ filters: { ...selection.filters, excludeNulls: event.target.checked } })} /> Drop rows
              whose target is empty (else they reach the model as missing values)
            </label>
            <div className="pair">
              <div>
                <label htmlFor="bucket">Downsample to (e.g. 1h; empty = raw rows)</label>
                <input
                  id="bucket"
                  type="text"
                  placeholder="raw rows"
                  value={selection.downsample?.bucket ?? ''}
                  onChange={(event) => update({ downsample: event.target.value.trim() ? { bucket: event.target.value.trim(), agg: selection.downsample?.agg ?? 'avg' } : null })}
                />
              </div>
              <div>
                <label htmlFor="agg">Per bucket</label>
                <select
                  id="agg"
                  value={selection.downsample?.agg ?? 'avg'}
                  disabled={!selection.downsample}
                  onChange={(event) => selection.downsample && update({ downsample: { ...selection.downsample, agg: event.target.value as Aggregation } })}
                >
                  {AGGREGATIONS.map((agg) => (
                    <option key={agg} value={agg}>
                      {agg === 'avg' ? 'average' : agg === 'last' ? 'last value' : agg}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            {catalog.downsampling && <p className="note">Downsampling runs in the database ({catalog.downsampling === 'time_bucket' ? 'TimescaleDB time_bucket' : 'date_bin'}).</p>}
          </>
        ) : (
          <p className="note">{kind === 'local' ? 'This file is read in the page as it is.' : 'Sample datasets are read as stored: filters and downsampling apply to databases, parquet files and uploads.'}</p>
        )}
      </details>

      {loading && <p className="note" data-testid="data-loading">Loading {loading}…</p>}
      {problem && (
        <p className="error" role="alert" data-testid="data-problem">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
