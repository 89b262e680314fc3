export * from './datasets';
export * from './shares';
