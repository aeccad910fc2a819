export { startSession, step, MAX_STEPS_PER_INPUT, MAX_UNCLEAR_REPLIES } from './step.js';
export { EngineError } from './errors.js';
export * from './types.js';
