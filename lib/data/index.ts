export * from './csv';
export * from './timestamps';
export * from './quality';
export * from './regularize';
