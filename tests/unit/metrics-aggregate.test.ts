import { describe, expect, it } from 'vitest';
import { DEFAULT_RELATIVE_CLIP, relativeGeometricMean } from '@/lib/core/metrics';

// Published: amazon-science/chronos-forecasting, scripts/evaluation/results/ — per-dataset
// zero-shot (Benchmark II) scores of chronos-bolt-small and seasonal-naive, and the aggregate
// that scripts/evaluation/agg-relative-score.py (scipy gmean of model / baseline) published in
// chronos-bolt-small-agg-rel-scores.csv: zero-shot MASE 0.8192127745093378, WQL 0.6356097843099521.
// Every ratio lies in [0.30, 1.10], inside the default clip, so clipping does not touch them.
const datasets = [
  // dataset, model MASE, model WQL, seasonal-naive MASE, seasonal-naive WQL
  ['ETTh', 0.792521748651108, 0.07590654063011319, 0.9316203114697056, 0.1220896585205886],
  ['ETTm', 0.6209623928936988, 0.05056189722606397, 1.1693053852270578, 0.1413480385734046],
  ['dominick', 0.8706134610400587, 0.34811141409475416, 0.8706150115348875, 0.4529164093744346],
  ['ercot', 0.7562857616685997, 0.02596064260343696, 0.7613354813741452, 0.0366036447606282],
  ['exchange_rate', 1.774835301692689, 0.011363548847621512, 1.7401824286954128, 0.0129841406759913],
  ['m4_quarterly', 1.2478142413437487, 0.07808795122806232, 1.6022471766126911, 0.1186484661559648],
  ['m4_yearly', 3.6925595655002574, 0.12772564181388502, 3.974360261259571, 0.1614389663357925],
  ['m5', 0.9195435643571084, 0.5668430814831332, 1.399206213076729, 1.0240883478068443],
  ['monash_australian_electricity', 0.8128424798841111, 0.041509852162861564, 1.2533189641227642, 0.0836951323308387],
  ['monash_car_parts', 0.8584574663781737, 1.0074689402521324, 1.2014638390969912, 1.5999522140809177],
  ['monash_cif_2016', 1.0182471909074982, 0.01581964877692293, 1.289290577415544, 0.0150830409089921],
  ['monash_covid_deaths', 36.467595559655145, 0.0427382859406882, 46.91239825526407, 0.1330848762571827],
  ['monash_fred_md', 0.6132863794635253, 0.03730410577241995, 1.1008000463101226, 0.1222237702571737],
  ['monash_hospital', 0.6954489513780618, 0.058119864671526154, 0.9205278266364826, 0.0726263373268254],
  ['monash_m1_monthly', 1.1277621848099244, 0.1335656174632902, 1.3144614957646543, 0.1914632595030148],
  ['monash_m1_quarterly', 1.8356144904231688, 0.09363028483838018, 2.077536550805995, 0.1495022062865622],
  ['monash_m1_yearly', 5.098146069746402, 0.15669928873371905, 4.894322225232431, 0.2092955931101782],
  ['monash_m3_monthly', 0.8685125121306435, 0.09396568468255145, 1.1462045758327934, 0.1485446007554992],
  ['monash_m3_quarterly', 1.3269103591066727, 0.07691022995374203, 1.425343793700714, 0.1012520529806161],
  ['monash_m3_yearly', 3.40993282700627, 0.1547639821304127, 3.1717102364409517, 0.1665329650420048],
  ['monash_nn5_weekly', 0.9266513350636507, 0.08452821221908001, 1.0628482559107015, 0.1226908962169196],
  ['monash_tourism_monthly', 1.6106732721197876, 0.09362336754317802, 1.630939994944413, 0.1041824322151567],
  ['monash_tourism_quarterly', 1.8357819365308639, 0.06734337535269994, 1.6989892627474672, 0.1193750169177449],
  ['monash_tourism_yearly', 3.8963100495394194, 0.16766064312072784, 3.5520097206480883, 0.2091826587673241],
  ['monash_traffic', 0.8598507749866499, 0.25173786112983054, 1.0767397173107436, 0.3618532196990004],
  ['monash_weather', 0.8020408743877911, 0.13258563963844888, 1.0038475713182748, 0.2165947349654047],
  ['nn5', 0.5833047644729239, 0.15066847836762787, 1.2917285866431214, 0.4246208074843067],
] as const;

describe('relativeGeometricMean: Chronos published aggregate', () => {
  const column = (index: 1 | 2 | 3 | 4) => datasets.map((row) => row[index]);
  it('reproduces zero-shot MASE 0.8192127745093378 (27 datasets)', () => {
    expect(datasets).toHaveLength(27);
    expect(relativeGeometricMean(column(1), column(3))).toBeCloseTo(0.8192127745093378, 12);
    expect(relativeGeometricMean(column(1), column(3), { clip: null })).toBeCloseTo(0.8192127745093378, 12);
  });
  it('reproduces zero-shot WQL 0.6356097843099521', () => {
    expect(relativeGeometricMean(column(2), column(4))).toBeCloseTo(0.6356097843099521, 12);
  });
});

describe('relativeGeometricMean: hand-computed and properties', () => {
  it('ratios 1/2 and 4/1 give sqrt(0.5 * 4) = sqrt(2)', () => {
    expect(relativeGeometricMean([1, 4], [2, 1])).toBeCloseTo(Math.SQRT2, 12);
  });

  it('equals (product of ratios)^(1/n) for ratios inside the clip', () => {
    let seed = 5;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let trial = 0; trial < 100; trial++) {
      const count = 1 + Math.floor(random() * 30);
      const baseline = Array.from({ length: count }, () => 0.01 + random() * 100);
      const ratios = Array.from({ length: count }, () => 0.05 + random() * 4);
      const model = baseline.map((score, index) => score * ratios[index]!);
      const product = ratios.reduce((accumulator, ratio) => accumulator * ratio, 1);
      expect(relativeGeometricMean(model, baseline)).toBeCloseTo(product ** (1 / count), 10);
    }
  });

  it('is 1 when the model equals the baseline, and invariant to rescaling one series', () => {
    expect(relativeGeometricMean([3, 0.2, 9], [3, 0.2, 9])).toBeCloseTo(1, 12);
    expect(relativeGeometricMean([1, 4], [2, 1])).toBeCloseTo(relativeGeometricMean([1000, 4], [2000, 1]), 12);
  });
});

describe('relativeGeometricMean: zeros and clipping', () => {
  it('0/0 and Infinity/Infinity are ties (ratio 1)', () => {
    expect(relativeGeometricMean([0, 2], [0, 1])).toBeCloseTo(2 ** 0.5, 12);
    expect(relativeGeometricMean([Number.POSITIVE_INFINITY, 2], [Number.POSITIVE_INFINITY, 1])).toBeCloseTo(2 ** 0.5, 12);
  });
  it('by default a ratio of 0 is clipped to 1e-3 and Infinity (x/0) to 5, as fev leaderboard does', () => {
    expect(DEFAULT_RELATIVE_CLIP).toEqual({ min: 1e-3, max: 5 });
    expect(relativeGeometricMean([0, 1], [2, 1])).toBeCloseTo(Math.sqrt(1e-3), 12);
    expect(relativeGeometricMean([1, 1], [0, 1])).toBeCloseTo(Math.sqrt(5), 12);
    expect(relativeGeometricMean([20], [1])).toBeCloseTo(5, 12);
  });
  it('a custom clip applies', () => {
    expect(relativeGeometricMean([20, 1], [1, 100], { clip: { min: 0.1, max: 10 } })).toBeCloseTo(1, 12);
  });
  it('without clipping a 0 ratio gives 0, an Infinity ratio gives Infinity, and both give NaN', () => {
    expect(relativeGeometricMean([0, 1], [2, 1], { clip: null })).toBe(0);
    expect(relativeGeometricMean([1, 1], [0, 1], { clip: null })).toBe(Number.POSITIVE_INFINITY);
    expect(relativeGeometricMean([0, 1], [2, 0], { clip: null })).toBeNaN();
  });
});

describe('relativeGeometricMean: NaN handling', () => {
  it('drops series where the model score is NaN (a failure) by default', () => {
    expect(relativeGeometricMean([1, Number.NaN, 4], [2, 1, 1])).toBeCloseTo(Math.SQRT2, 12);
  });
  it('scores failures as failureScore when given', () => {
    expect(relativeGeometricMean([1, Number.NaN], [4, 1], { failureScore: 4 })).toBeCloseTo(1, 12);
  });
  it('is NaN when nothing is left to average', () => {
    expect(relativeGeometricMean([Number.NaN], [1])).toBeNaN();
    expect(relativeGeometricMean([], [])).toBeNaN();
  });
  it('throws when a baseline score is NaN: the baseline must score every series', () => {
    expect(() => relativeGeometricMean([1, 2], [1, Number.NaN])).toThrow(
      'metrics: baseline score at index 1 must be a number >= 0, got NaN',
    );
  });
});

describe('relativeGeometricMean: errors', () => {
  it('rejects unequal lengths, negative scores and bad options', () => {
    expect(() => relativeGeometricMean([1, 2], [1])).toThrow(
      'metrics: relativeGeometricMean needs one baseline score per model score, got 2 model and 1 baseline scores',
    );
    expect(() => relativeGeometricMean([-1], [1])).toThrow('metrics: model score at index 0 must be a number >= 0 or NaN, got -1');
    expect(() => relativeGeometricMean([1], [-2])).toThrow('metrics: baseline score at index 0 must be a number >= 0, got -2');
    expect(() => relativeGeometricMean([1], [1], { clip: { min: 0, max: 5 } })).toThrow(
      'metrics: relative score clip needs 0 < min <= max < Infinity, got min 0 and max 5',
    );
    expect(() => relativeGeometricMean([1], [1], { failureScore: 0 })).toThrow('metrics: failureScore must be a finite number > 0, got 0');
  });
});
