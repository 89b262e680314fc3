import 'server-only';
export { detectAnomalies, detectAnomaliesEverySeries, parseAnomalyQuery, type SeriesAnomalies, ANOMALY_PARAMETERS, type Anomaly, type AnomalyReport, type AnomalyParameters } from './detect';
export { alertConfig, evaluateAlertRules, checkWebhookHost, type AlertRule, type AlertConfig, type AlertEvaluation } from './alerts';
