/**
 * Nelder-Mead minimisation, laid out as R's optim(method = "Nelder-Mead") (the optimiser R's
 * forecast::ets uses): one initial step of 10% of the largest parameter, reflection 1,
 * contraction 0.5, expansion 2, stop when the simplex's values agree to a relative tolerance.
 * Infinite values (outside the parameter bounds) are allowed and simply lose.
 */
export interface NelderMeadOptions {
  maxEvaluations?: number;
  relativeTolerance?: number;
}

export function nelderMead(objective: (point: Float64Array) => number, start: ArrayLike<number>, options: NelderMeadOptions = {}): { point: Float64Array; value: number; evaluations: number } {
  const maxEvaluations = options.maxEvaluations ?? 2000;
  const tolerance = options.relativeTolerance ?? 1e-8;
  const dimension = start.length;
  let evaluations = 0;
  const evaluate = (point: Float64Array) => {
    evaluations++;
    const value = objective(point);
    return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
  };
  let size = 0;
  for (let i = 0; i < dimension; i++) size = Math.max(size, 0.1 * Math.abs(start[i]!));
  if (size === 0) size = 0.1;
  const simplex: Float64Array[] = [Float64Array.from(start)];
  for (let i = 0; i < dimension; i++) {
    const vertex = Float64Array.from(start);
    vertex[i]! += size;
    simplex.push(vertex);
  }
  const values = simplex.map(evaluate);
  const centroid = new Float64Array(dimension);
  const trial = new Float64Array(dimension);
  const expanded = new Float64Array(dimension);
  while (evaluations < maxEvaluations) {
    let lowest = 0;
    let highest = 0;
    for (let j = 1; j <= dimension; j++) {
      if (values[j]! < values[lowest]!) lowest = j;
      if (values[j]! > values[highest]!) highest = j;
    }
    const lowValue = values[lowest]!;
    const highValue = values[highest]!;
    if (Number.isFinite(highValue) && highValue <= lowValue + tolerance * (Math.abs(lowValue) + tolerance)) break;
    centroid.fill(0);
    for (let j = 0; j <= dimension; j++) {
      if (j === highest) continue;
      for (let i = 0; i < dimension; i++) centroid[i]! += simplex[j]![i]! / dimension;
    }
    for (let i = 0; i < dimension; i++) trial[i] = 2 * centroid[i]! - simplex[highest]![i]!;
    const reflectedValue = evaluate(trial);
    if (reflectedValue < lowValue) {
      for (let i = 0; i < dimension; i++) expanded[i] = 2 * trial[i]! - centroid[i]!;
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) {
        simplex[highest]!.set(expanded);
        values[highest] = expandedValue;
      } else {
        simplex[highest]!.set(trial);
        values[highest] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < highValue) {
      simplex[highest]!.set(trial);
      values[highest] = reflectedValue;
    }
    // Contract the (possibly replaced) worst point towards the centroid.
    for (let i = 0; i < dimension; i++) trial[i] = 0.5 * simplex[highest]![i]! + 0.5 * centroid[i]!;
    const contractedValue = evaluate(trial);
    if (contractedValue < values[highest]!) {
      simplex[highest]!.set(trial);
      values[highest] = contractedValue;
    } else if (reflectedValue >= highValue) {
      // Shrink everything towards the best point.
      for (let j = 0; j <= dimension; j++) {
        if (j === lowest) continue;
        for (let i = 0; i < dimension; i++) simplex[j]![i] = 0.5 * (simplex[j]![i]! - simplex[lowest]![i]!) + simplex[lowest]![i]!;
        values[j] = evaluate(simplex[j]!);
      }
    }
  }
  let best = 0;
  for (let j = 1; j <= dimension; j++) if (values[j]! < values[best]!) best = j;
  return { point: simplex[best]!, value: values[best]!, evaluations };
}
