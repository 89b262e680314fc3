export {
  AGGREGATIONS,
  CONFIG_LIMITS,
  UPLOAD_SOURCE_PREFIX,
  forecastConfigSchema,
  isUploadSource,
  parseForecastConfig,
  parseForecastConfigJson,
  quantileLevelsSchema,
  serializeForecastConfig,
  windowLength,
  type Aggregation,
  type ForecastConfig,
  type ForecastConfigInput,
} from './schema';
export { PRESETS, applyPreset, findPreset, presetFrequencyWarning, type ForecastPreset } from './presets';
export { MAX_CONFIG_PARAM_LENGTH, decodeConfigParam, encodeConfigParam, workbenchHref } from './link';
export { windowParams, windowQuery, type WindowSelection } from './window';
