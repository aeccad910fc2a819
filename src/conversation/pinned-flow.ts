import type { Flow } from '../flow/flow.js';
import type { FlowRegistry } from '../flow/registry.js';
import { isQuestion } from '../flow/steps.js';
import type { Session, StepResult } from '../engine/types.js';

/**
 * The version the session started on; if that is gone (edited and restarted), the current
 * version when it still has the waiting question, so nobody is stranded.
 */
export function pinnedFlow(flows: FlowRegistry, session: Session): Flow | undefined {
  const pinned = flows.get(session.flowId, session.flowVersion);
  if (pinned !== undefined) return pinned;
  const latest = flows.get(session.flowId);
  const waiting = latest?.steps[session.stepId];
  return waiting !== undefined && isQuestion(waiting) ? latest : undefined;
}

/** A session whose flow no longer has its step: ended, with its answers kept. */
export function stranded(session: Session): StepResult {
  return {
    session: { ...session, status: 'halted', revision: session.revision + 1 },
    replies: [],
    events: [{ type: 'flow_halted', reason: 'missing_step', stepId: session.stepId }],
  };
}
