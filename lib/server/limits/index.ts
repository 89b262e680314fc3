import 'server-only';
export { enforceRateLimit, rateLimitKey, rateLimitPerMinute, RATE_WINDOW_MS } from './rate-limit';
export { withHeavySlot, maxHeavyRequests, heavyRequestsRunning } from './concurrency';
export { forecastOutputCap, checkForecastOutput } from './forecast-output';
