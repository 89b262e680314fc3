/** ETTh1 from the shared data folder (or data/ in the repo), parsed into rows and UTC timestamps. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function ettPath(name = 'ETTh1.csv'): string {
  const candidates = [path.resolve('data', name), path.resolve('data/samples', name), path.join('/work/shared/data', name)];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) throw new Error(`${name} not found in ${candidates.join(', ')}`);
  return found;
}

export function loadEtt(name = 'ETTh1.csv'): { columns: string[]; timestamps: number[]; values: Float64Array } {
  const lines = readFileSync(ettPath(name), 'utf8').trim().split(/\r?\n/);
  const columns = lines[0]!.split(',').slice(1);
  const timestamps: number[] = [];
  const values = new Float64Array((lines.length - 1) * columns.length);
  lines.slice(1).forEach((line, row) => {
    const cells = line.split(',');
    timestamps.push(Date.parse(`${cells[0]!.replace(' ', 'T')}Z`));
    for (let c = 0; c < columns.length; c++) values[row * columns.length + c] = Number(cells[c + 1]);
  });
  return { columns, timestamps, values };
}
