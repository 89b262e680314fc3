import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What every benchmark reports: a table on stdout and the same numbers, with context, as JSON. */
export interface BenchTable {
  columns: string[];
  rows: (string | number)[][];
}

export function printTable({ columns, rows }: BenchTable): void {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => row[index]!.length)));
  const line = (row: string[]) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
  console.log(line(columns));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}

/** The machine the numbers came from: they mean little without it. */
export function machine() {
  return { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
}

export function writeResult(name: string, result: Record<string, unknown>): string {
  const directory = path.resolve('bench/results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, recordedAt: new Date().toISOString(), machine: machine(), ...result }, null, 2)}\n`);
  return file;
}
