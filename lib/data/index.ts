export * from './csv';
export * from './timestamps';
