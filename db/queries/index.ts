export * from './datasets';
export * from './shares';
export * from './access';
