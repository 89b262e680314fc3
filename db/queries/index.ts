export * from './datasets';
export * from './shares';
export * from './monitoring';
export * from './access';
export * from './trained-models';
