/**
 * The median of a set of numbers without sorting it: quickselect (Hoare partition, median-of-three
 * pivot), O(n) on average against the O(n log n) of a sort, which at a million values was most of
 * a data-quality check. The result is the same number a sort gives: the middle value, or the mean
 * of the two middle values. `values` is reordered in place; NaN must not be in it.
 */
export function medianInPlace(values: Float64Array): number {
  const length = values.length;
  if (length === 0) return Number.NaN;
  const middle = length >> 1;
  selectInPlace(values, middle);
  if (length % 2) return values[middle]!;
  // Everything left of `middle` is <= values[middle]: the other middle value is their maximum.
  let lower = values[0]!;
  for (let index = 1; index < middle; index++) if (values[index]! > lower) lower = values[index]!;
  return (lower + values[middle]!) / 2;
}

/** Reorders `values` so values[k] is the k-th smallest, with no larger value before it and no smaller after it. */
export function selectInPlace(values: Float64Array, k: number): void {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const middle = (left + right) >>> 1;
    // Median of three as the pivot keeps sorted and reversed input linear.
    const a = values[left]!;
    const b = values[middle]!;
    const c = values[right]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}
