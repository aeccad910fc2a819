export type EngineErrorCode = 'flow_version_mismatch' | 'session_flow_mismatch';

/** Misuse by the caller (a bug in an adapter), as opposed to flow trouble, which is an event. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
