import 'server-only';

/** The datasets shipped with the app (byte-for-byte copies under data/samples/), with attribution. */
export interface SampleDataset {
  id: string;
  name: string;
  fileName: string;
  description: string;
  licence: string;
  attribution: string;
  sourceUrl: string;
  /** For files without timestamps: the regular index the app assigns (documented in the UI). */
  syntheticIndex?: { startIso: string; frequencyLabel: string };
}

export const SAMPLE_DATASETS: readonly SampleDataset[] = [
  {
    id: 'etth1',
    name: 'ETTh1',
    fileName: 'ETTh1.csv',
    description: 'Electricity Transformer Temperature, station 1, hourly 2016-07 to 2018-06: six load columns and the oil temperature OT.',
    licence: 'CC BY-ND 4.0',
    attribution: 'Zhou et al., "Informer" (AAAI 2021), ETDataset',
    sourceUrl: 'https://github.com/zhouhaoyi/ETDataset',
  },
  {
    id: 'etth2',
    name: 'ETTh2',
    fileName: 'ETTh2.csv',
    description: 'Electricity Transformer Temperature, station 2, hourly 2016-07 to 2018-06.',
    licence: 'CC BY-ND 4.0',
    attribution: 'Zhou et al., "Informer" (AAAI 2021), ETDataset',
    sourceUrl: 'https://github.com/zhouhaoyi/ETDataset',
  },
  {
    id: 'air-passengers',
    name: 'AirPassengers',
    fileName: 'AirPassengers.csv',
    description: 'Monthly international airline passengers, 1949 to 1960 (thousands).',
    licence: 'Public domain',
    attribution: 'Box & Jenkins (1976), via unit8co/darts',
    sourceUrl: 'https://github.com/unit8co/darts/tree/master/datasets',
  },
  {
    id: 'monthly-milk-incomplete',
    name: 'Monthly milk (incomplete)',
    fileName: 'monthly-milk-incomplete.csv',
    description: 'Monthly milk production per cow, 1962 to 1975, with 13 months missing from the file.',
    licence: 'Apache-2.0 (darts repository)',
    attribution: 'unit8co/darts datasets',
    sourceUrl: 'https://github.com/unit8co/darts/tree/master/datasets',
  },
  {
    id: 'exchange-rate',
    name: 'Exchange rates',
    fileName: 'exchange_rate.csv',
    description: "Daily exchange rates of 8 countries (LSTNet). The file has no timestamps: rows are numbered as days from 1990-01-01.",
    licence: 'Apache-2.0 (darts repository)',
    attribution: 'Lai et al., LSTNet (2018), via unit8co/darts',
    sourceUrl: 'https://github.com/unit8co/darts/tree/master/datasets',
    syntheticIndex: { startIso: '1990-01-01T00:00:00Z', frequencyLabel: '1D' },
  },
  {
    id: 'peyton-manning',
    name: 'Peyton Manning page views',
    fileName: 'peyton_manning.csv',
    description: "Log daily Wikipedia page views of Peyton Manning, 2007 to 2016, with gaps (Prophet's example).",
    licence: 'MIT (Nixtla repository)',
    attribution: 'Facebook Prophet example data, via Nixtla/transfer-learning-time-series',
    sourceUrl: 'https://github.com/Nixtla/transfer-learning-time-series',
  },
];
