/**
 * Linear interpolation of interior NaNs; leading NaNs are dropped and trailing NaNs carry the
 * last observed value. Only for models that cannot take gaps (augurs); the count is reported.
 */
export function interpolateMissing(input: ArrayLike<number>): { values: Float64Array; imputed: number } {
  let first = 0;
  while (first < input.length && Number.isNaN(input[first]!)) first++;
  const values = Float64Array.from(Array.prototype.slice.call(input, first) as number[]);
  let imputed = 0;
  let previous = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) continue;
    if (previous >= 0 && i - previous > 1) {
      const from = values[previous]!;
      const to = values[i]!;
      for (let j = previous + 1; j < i; j++) {
        values[j] = from + ((to - from) * (j - previous)) / (i - previous);
        imputed++;
      }
    }
    previous = i;
  }
  for (let i = previous + 1; i < values.length; i++) {
    values[i] = values[previous]!;
    imputed++;
  }
  return { values, imputed };
}
