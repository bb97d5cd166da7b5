export * from './format';
export * from './graphModel';
export * from './viewerState';
