import 'server-only';
import { readFile } from 'node:fs/promises';
import { parquetRead, type SchemaElement } from 'hyparquet';
import { isLookaheadError } from '@/lib/core/errors';
import { parseCsv } from '@/lib/data/csv';
import { millisecondParsers } from '@/lib/data/parquet';
import { openParquetFile } from '@/lib/server/parquet/metadata';
import { IngestQualityError, IngestSchemaError } from './errors';
import type { IngestInput } from './input-files';

/**
 * A file to load, as typed columns and batches of rows. Timestamps are UTC milliseconds (numbers),
 * 64-bit integers bigint, missing values null. Parquet is read one row group at a time, so memory
 * follows the row group; a CSV is parsed whole by the shared CSV reader.
 */
export type IngestType = 'timestamptz' | 'double precision' | 'numeric' | 'bigint' | 'integer' | 'boolean' | 'text';

export interface IngestColumn {
  name: string;
  type: IngestType;
}

export interface IngestFile {
  columns: IngestColumn[];
  /** The column the rows are ordered and indexed by. */
  timeColumn: string;
  rowCount: number;
  batches(): AsyncIterable<unknown[][]>;
}

/** The file-name {entity} becomes this column when the file has none of that name. */
export const ENTITY_COLUMN = 'entity';

function parquetType(element: SchemaElement, file: string): IngestType {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (element.type === 'INT96' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || logical === 'TIMESTAMP' || converted === 'DATE' || logical === 'DATE') return 'timestamptz';
  if (converted === 'DECIMAL' || logical === 'DECIMAL') return 'numeric';
  if (element.type === 'DOUBLE' || element.type === 'FLOAT') return 'double precision';
  if (element.type === 'INT32') return 'integer';
  if (element.type === 'INT64') return 'bigint';
  if (element.type === 'BOOLEAN') return 'boolean';
  if (element.type === 'BYTE_ARRAY' && (converted === 'UTF8' || logical === 'STRING' || converted === 'ENUM' || converted === 'JSON')) return 'text';
  throw new IngestSchemaError(`file "${file}": column "${element.name}" has parquet type ${[element.type, logical ?? converted].filter(Boolean).join(' ')}, which cannot be loaded; supported: timestamps, dates, numbers, booleans, strings`, {
    file,
    column: element.name,
  });
}

function chooseTimeColumn(columns: IngestColumn[], requested: string | undefined, file: string): string {
  if (requested) {
    const column = columns.find((candidate) => candidate.name === requested);
    if (!column) throw new IngestSchemaError(`file "${file}" has no column "${requested}" (--time); columns: ${columns.map((entry) => entry.name).join(', ')}`, { file, column: requested });
    if (column.type !== 'timestamptz') throw new IngestSchemaError(`file "${file}": column "${requested}" (--time) is ${column.type}, not a timestamp`, { file, column: requested });
    return requested;
  }
  const first = columns.find((column) => column.type === 'timestamptz');
  if (!first) {
    throw new IngestSchemaError(`file "${file}" has no timestamp column (columns: ${columns.map((entry) => `${entry.name} ${entry.type}`).join(', ')}); a time series needs one`, { file });
  }
  return first.name;
}

async function openParquet(input: IngestInput, timeColumn: string | undefined): Promise<IngestFile> {
  let opened;
  try {
    opened = await openParquetFile(input.absolutePath, input.relativePath, { sizeBytes: input.sizeBytes, mtimeMs: 0 });
  } catch (error) {
    throw new IngestQualityError(`file "${input.relativePath}" is not a readable parquet file (${(error as Error).message.replace(/^parquet: /, '')})`, { file: input.relativePath, cause: error });
  }
  const { file, metadata } = opened;
  const elements = metadata.schema.slice(1).filter((element) => !element.num_children);
  if (elements.length !== (metadata.schema[0]?.num_children ?? 0)) {
    throw new IngestSchemaError(`file "${input.relativePath}" has nested columns, which cannot be loaded into a table`, { file: input.relativePath });
  }
  const fileColumns = elements.map((element) => ({ name: element.name, type: parquetType(element, input.relativePath) }));
  const addEntity = input.entity !== null && !fileColumns.some((column) => column.name === ENTITY_COLUMN);
  const columns = addEntity ? [...fileColumns, { name: ENTITY_COLUMN, type: 'text' as const }] : fileColumns;
  const names = fileColumns.map((column) => column.name);
  return {
    columns,
    timeColumn: chooseTimeColumn(columns, timeColumn, input.relativePath),
    rowCount: Number(metadata.num_rows),
    async *batches() {
      let groupStart = 0;
      for (const group of metadata.row_groups) {
        const groupRows = Number(group.num_rows);
        let rows: unknown[][] = [];
        try {
          await parquetRead({ file, metadata, columns: names, rowStart: groupStart, rowEnd: groupStart + groupRows, parsers: millisecondParsers, onComplete: (result) => (rows = result) });
        } catch (error) {
          throw new IngestQualityError(`file "${input.relativePath}": row group at row ${groupStart} cannot be read (${(error as Error).message})`, { file: input.relativePath, row: groupStart, cause: error });
        }
        if (addEntity) for (const row of rows) row.push(input.entity);
        groupStart += groupRows;
        yield rows;
      }
    },
  };
}

async function openCsv(input: IngestInput, timeColumn: string | undefined): Promise<IngestFile> {
  const text = await readFile(input.absolutePath, 'utf8');
  let table;
  try {
    table = parseCsv(text, { name: input.relativePath, onDisorder: 'keep', ...(timeColumn ? { timestampColumn: timeColumn } : {}) });
  } catch (error) {
    if (isLookaheadError(error)) {
      throw new IngestQualityError(`file "${input.relativePath}": ${error.message}`, { file: input.relativePath, cause: error });
    }
    throw error;
  }
  if (!table.timestampsMs || !table.timestampColumn) {
    throw new IngestSchemaError(`file "${input.relativePath}" has no timestamp column (columns: ${table.columns.join(', ')}); a time series needs one`, { file: input.relativePath });
  }
  const timestampColumn = table.timestampColumn;
  const kept = table.columns.filter((name) => name === timestampColumn || table.numericColumns.includes(name) || name in table.text);
  const columns: IngestColumn[] = kept.map((name) => ({ name, type: name === timestampColumn ? 'timestamptz' : table.numericColumns.includes(name) ? 'double precision' : 'text' }));
  const addEntity = input.entity !== null && !kept.includes(ENTITY_COLUMN);
  if (addEntity) columns.push({ name: ENTITY_COLUMN, type: 'text' });
  const timestamps = table.timestampsMs;
  return {
    columns,
    timeColumn: timestampColumn,
    rowCount: table.rowCount,
    async *batches() {
      const BATCH = 10_000;
      for (let start = 0; start < table.rowCount; start += BATCH) {
        const rows: unknown[][] = [];
        for (let index = start; index < Math.min(table.rowCount, start + BATCH); index++) {
          const row = kept.map((name) => {
            if (name === timestampColumn) return timestamps[index];
            if (table.numericColumns.includes(name)) {
              const value = table.values[name]![index]!;
              return Number.isNaN(value) ? null : value;
            }
            const cell = table.text[name]![index];
            return cell === undefined || cell === '' ? null : cell;
          });
          if (addEntity) row.push(input.entity);
          rows.push(row);
        }
        yield rows;
      }
    },
  };
}

export function openIngestFile(input: IngestInput, { timeColumn }: { timeColumn?: string } = {}): Promise<IngestFile> {
  return input.format === 'parquet' ? openParquet(input, timeColumn) : openCsv(input, timeColumn);
}
