import type { FileMetaData, SchemaElement } from 'hyparquet';
import type { ColumnKind, SourceColumn } from '@/lib/data/columns';

/**
 * A parquet file's columns as the role mapping sees them: top-level leaf columns with the kind
 * their physical, converted and logical types allow (nested groups are not offered).
 */

export function parquetColumnKind(element: SchemaElement): ColumnKind {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (element.type === 'INT96' || converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || logical === 'TIMESTAMP' || logical === 'DATE') {
    return 'timestamp';
  }
  if (element.type === 'BYTE_ARRAY' && (converted === 'UTF8' || logical === 'STRING' || converted === 'ENUM')) return 'text';
  if (element.type === 'DOUBLE' || element.type === 'FLOAT' || element.type === 'INT32' || element.type === 'INT64' || converted === 'DECIMAL') return 'number';
  return 'other';
}

function typeName(element: SchemaElement): string {
  return [element.type, element.logical_type?.type ?? element.converted_type].filter(Boolean).join(' ');
}

export function parquetColumns(metadata: FileMetaData): SourceColumn[] {
  const columns: SourceColumn[] = [];
  const root = metadata.schema[0];
  let index = 1;
  for (let child = 0; child < (root?.num_children ?? 0); child++) {
    const element = metadata.schema[index]!;
    if (!element.num_children) {
      columns.push({ name: element.name, type: typeName(element), kind: parquetColumnKind(element), nullable: element.repetition_type !== 'REQUIRED' });
      index++;
    } else {
      index = skipGroup(metadata.schema, index);
    }
  }
  return columns;
}

function skipGroup(schema: SchemaElement[], index: number): number {
  const children = schema[index]!.num_children ?? 0;
  let next = index + 1;
  for (let child = 0; child < children; child++) next = schema[next]!.num_children ? skipGroup(schema, next) : next + 1;
  return next;
}
