import 'server-only';
import { backtestBatchKind } from './backtest-batch';
import { detectAnomaliesKind } from './detect-anomalies';
import { forecastBatchKind } from './forecast-batch';
import { registerJobKind } from './kinds';
import { trainKind } from './train';

/** The kinds this server offers. A new kind (e.g. `train`) adds one line here. */
registerJobKind(forecastBatchKind);
registerJobKind(backtestBatchKind);
registerJobKind(detectAnomaliesKind);
registerJobKind(trainKind);
