export * from './errors';
export * from './forecast';
export * from './normal';
export * from './frequency';
export * from './metrics';
export * from './backtest';
export * from './anomaly';
export * from './drift';
