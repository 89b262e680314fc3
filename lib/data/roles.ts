import { LookaheadError } from '@/lib/core/errors';
import { excerpt, type SourceColumn } from './columns';

/**
 * Role mapping: which column is the timestamp, which are the targets to forecast, which one names
 * the series (entity id) and which are covariates. `suggestRoles` proposes a mapping from names and
 * types; `resolveRoles` checks a requested one against the source's columns (the allow-list).
 */
export interface RoleMapping {
  time: string | null;
  targets: string[];
  entity: string | null;
  covariates: string[];
}

export interface ResolvedRoles<Column extends SourceColumn = SourceColumn> {
  time: Column;
  targets: Column[];
  entity: Column | null;
  covariates: Column[];
}

export interface RoleRequest {
  time?: string;
  targets?: string[];
  entity?: string;
  covariates?: string[];
}

const TIME_NAMES = /^(ts|time|timestamp|datetime|date|period|time_?stamp|observed_?at|recorded_?at|event_?time)$/i;
const ENTITY_NAMES = /(^id$|_id$|^symbol$|^ticker$|^series|^entity|^station|^sensor|^device|^item|^store|^region|^unique_id$|^key$)/i;

/** Names forecasting libraries give the value to forecast (statsforecast's y, AutoGluon's target, ...). */
const TARGET_NAMES = /^(y|target|value|values|sales|demand|quantity|qty|units|trips|visitors|ot)$/i;

/** Whether a column's name marks it as a series id (unique_id, item_id, store, region, ...). */
export function isEntityName(name: string): boolean {
  return ENTITY_NAMES.test(name);
}

/**
 * Value columns split into targets and covariates: when one of them has a conventional target
 * name (y, target, value, sales, ...) it is the target and the others are covariates (sell_price,
 * event flags); otherwise every one is a target to choose from.
 */
export function splitValueColumns(numeric: readonly string[]): { targets: string[]; covariates: string[] } {
  const named = numeric.find((name) => TARGET_NAMES.test(name));
  if (named === undefined) return { targets: [...numeric], covariates: [] };
  return { targets: [named], covariates: numeric.filter((name) => name !== named) };
}

/** Further names that usually identify a series (sites, plants, meters...), for entity candidates. */
const MORE_ENTITY_NAMES = /^(site|plant|location|city|country|zone|meter|machine|asset|product|sku|category|group|unit|node|host|name)s?$/i;

/**
 * Columns that may name the series of a table (and so have their distinct values listed by
 * /series): text or number columns named like an id, or, when none is, the suggested entity.
 * Any other column (an e-mail, a note) is never listed, whatever the request asks.
 */
export function entityCandidates(columns: readonly SourceColumn[]): string[] {
  const named = columns.filter((column) => (column.kind === 'text' || column.kind === 'number') && (ENTITY_NAMES.test(column.name) || MORE_ENTITY_NAMES.test(column.name)));
  if (named.length) return named.map((column) => column.name);
  const suggested = suggestRoles(columns).entity;
  return suggested ? [suggested] : [];
}

export function suggestRoles(columns: readonly SourceColumn[]): RoleMapping {
  const timestamps = columns.filter((column) => column.kind === 'timestamp');
  const time = timestamps.find((column) => TIME_NAMES.test(column.name)) ?? timestamps[0] ?? null;
  const entity = columns.find((column) => column.kind === 'text' && ENTITY_NAMES.test(column.name)) ?? columns.find((column) => column.kind === 'text') ?? null;
  const numeric = columns.filter((column) => column.kind === 'number' && !ENTITY_NAMES.test(column.name)).map((column) => column.name);
  const { targets, covariates } = splitValueColumns(numeric);
  return { time: time?.name ?? null, targets, entity: entity?.name ?? null, covariates };
}

function roleError(message: string, details?: Record<string, unknown>): LookaheadError {
  return new LookaheadError('sources', 'bad_input', message, details ? { details } : {});
}

export function resolveRoles<Column extends SourceColumn>(columns: readonly Column[], request: RoleRequest, tableLabel: string): ResolvedRoles<Column> {
  const byName = new Map(columns.map((column) => [column.name, column]));
  const listed = (kind: SourceColumn['kind'] | 'entity') =>
    columns
      .filter((column) => (kind === 'entity' ? column.kind === 'text' || column.kind === 'number' : column.kind === kind))
      .map((column) => column.name)
      .join(', ') || 'none';

  const lookup = (name: string, role: string): Column => {
    const column = byName.get(name);
    if (!column) {
      throw roleError(`${role} column "${excerpt(name)}" is not in ${tableLabel}; columns: ${columns.map((entry) => entry.name).join(', ')}`, {
        role,
        column: excerpt(name),
      });
    }
    return column;
  };

  const suggested = suggestRoles(columns);
  const timeName = request.time ?? suggested.time;
  if (!timeName) throw roleError(`${tableLabel} has no timestamp column (timestamp, timestamptz or date); map one with time=<column>`);
  const time = lookup(timeName, 'time');
  if (time.kind !== 'timestamp') {
    throw roleError(`time column "${time.name}" of ${tableLabel} is ${time.type}, not a timestamp; timestamp columns: ${listed('timestamp')}`);
  }

  const targetNames = request.targets && request.targets.length ? request.targets : suggested.targets;
  if (!targetNames.length) throw roleError(`${tableLabel} has no numeric column to forecast; name targets with columns=<column>`);
  const checkNumeric = (name: string, role: string): Column => {
    const column = lookup(name, role);
    if (column.kind !== 'number') {
      throw roleError(`${role} column "${column.name}" of ${tableLabel} is ${column.type}, not a number; numeric columns: ${listed('number')}`);
    }
    return column;
  };
  const targets = targetNames.map((name) => checkNumeric(name, 'target'));
  const covariates = (request.covariates ?? []).map((name) => checkNumeric(name, 'covariate'));

  let entity: Column | null = null;
  if (request.entity) {
    entity = lookup(request.entity, 'entity');
    if (entity.kind !== 'text' && entity.kind !== 'number') {
      throw roleError(`entity column "${entity.name}" of ${tableLabel} is ${entity.type}; entity ids must be text or numbers (${listed('entity')})`);
    }
  }

  const used = new Set<string>();
  for (const column of [time, ...targets, ...covariates, ...(entity ? [entity] : [])]) {
    if (used.has(column.name)) throw roleError(`column "${column.name}" is mapped to two roles; give each column one role`);
    used.add(column.name);
  }
  return { time, targets, entity, covariates };
}
