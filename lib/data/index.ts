export * from './csv';
export * from './timestamps';
export * from './quality';
export * from './regularize';
export * from './columns';
export * from './roles';
export * from './window-request';
