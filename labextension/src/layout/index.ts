export * from './messages';
export * from './elkGraph';
export * from './client';
export * from './workerHost';
export * from './inProcess';
export { loadElk } from './elk';
export * from './fromModel';
