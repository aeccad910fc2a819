export { startSession, step, remind, expire, MAX_UNCLEAR_REPLIES } from './step.js';
export { MAX_STEPS_PER_INPUT } from './turn.js';
export { EngineError } from './errors.js';
export * from './types.js';
