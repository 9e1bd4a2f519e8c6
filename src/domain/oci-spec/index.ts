export * from './capabilities.ts';
export * from './defaults.ts';
export * from './spec.ts';
export * from './start-error.ts';
export type * from './types.ts';
export * from './user.ts';
