import 'server-only';
export { detectAnomalies, parseAnomalyQuery, ANOMALY_PARAMETERS, type Anomaly, type AnomalyReport, type AnomalyParameters } from './detect';
