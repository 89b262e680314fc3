import 'server-only';
export { detectAnomalies, detectAnomaliesEverySeries, parseAnomalyQuery, type SeriesAnomalies, ANOMALY_PARAMETERS, type Anomaly, type AnomalyReport, type AnomalyParameters } from './detect';
export { alertConfig, evaluateAlertRules, checkWebhookHost, driftWindows, type AlertRule, type AnomalyRule, type DriftRule, type AlertConfig, type AlertEvaluation } from './alerts';
export { checkDrift, readSeriesWindow, type DriftReport, type SeriesRef, type SeriesWindow, type RollingError, type RollingErrorOptions } from './drift';
export { checkTrainedModelDrift, checkTrainedModelsDrift, trainedWindow, trainedDriftRow, type TrainedDriftReport, type ModelDriftRound } from './model-drift';
