import type { Flow } from '../flow/flow.js';
import type { FlowRegistry } from '../flow/registry.js';
import { isQuestion } from '../flow/steps.js';
import { startSession, step } from '../engine/step.js';
import type {
  EngineEvent,
  Input,
  Reply,
  Session,
  SessionStatus,
  StartOptions,
  StepResult,
  Translate,
} from '../engine/types.js';
import type { ParticipantKey, SessionStore } from '../store/session-store.js';

export interface Outcome {
  readonly replies: readonly Reply[];
  readonly events: readonly EngineEvent[];
  /** The session's status after this message, or `none` when the message started nothing. */
  readonly status: SessionStatus | 'none';
  readonly flowId: string | undefined;
}

export interface ConversationDeps {
  readonly flows: FlowRegistry;
  readonly store: SessionStore;
  readonly translate: Translate;
  readonly clock: () => Date;
}

export class FlowNotFoundError extends Error {
  readonly code = 'flow_not_found';
  constructor(readonly flowId: string) {
    super(`no flow named '${flowId}'`);
  }
}

export class SessionConflictError extends Error {
  readonly code = 'session_conflict';
  constructor() {
    super('the session changed while this message was handled');
  }
}

const NOTHING: Outcome = { replies: [], events: [], status: 'none', flowId: undefined };

/**
 * The one place that orders I/O around the pure engine: load, step, save, and hand the
 * replies back to the channel. The same for every channel.
 */
export class ConversationService {
  constructor(private readonly deps: ConversationDeps) {}

  /** Opens (or reopens) a flow for a participant, e.g. after an invitation or from the web chat. */
  async start(key: ParticipantKey, flowId: string, options: StartOptions = {}): Promise<Outcome> {
    const flow = this.deps.flows.get(flowId);
    if (flow === undefined) throw new FlowNotFoundError(flowId);
    return this.commit(key, flow, startSession(flow, options, this.context()));
  }

  /** An inbound message: the answer to the waiting question, or a keyword that starts a flow. */
  async receive(key: ParticipantKey, input: Input): Promise<Outcome> {
    const session = await this.deps.store.load(key);
    if (session?.status === 'active') {
      const flow = this.pinnedFlow(session);
      if (flow === undefined)
        return this.commit(key, undefined, {
          session: { ...session, status: 'halted', revision: session.revision + 1 },
          replies: [],
          events: [{ type: 'flow_halted', reason: 'missing_step', stepId: session.stepId }],
        });
      const rebased =
        flow.version === session.flowVersion ? session : { ...session, flowVersion: flow.version };
      return this.commit(key, flow, step(flow, rebased, input, this.context()));
    }
    if (input.type !== 'text') return NOTHING;
    const flow = this.deps.flows.byKeyword(input.text);
    if (flow === undefined) return NOTHING;
    return this.commit(key, flow, startSession(flow, {}, this.context()));
  }

  /**
   * The version the session started on; if that is gone (edited and restarted), the current
   * version when it still has the waiting question, so nobody is stranded.
   */
  private pinnedFlow(session: Session): Flow | undefined {
    const pinned = this.deps.flows.get(session.flowId, session.flowVersion);
    if (pinned !== undefined) return pinned;
    const latest = this.deps.flows.get(session.flowId);
    const waiting = latest?.steps[session.stepId];
    return waiting !== undefined && isQuestion(waiting) ? latest : undefined;
  }

  private async commit(
    key: ParticipantKey,
    flow: Flow | undefined,
    result: StepResult,
  ): Promise<Outcome> {
    const ttlMs = Math.max(1, Date.parse(result.session.expiresAt) - this.deps.clock().getTime());
    if ((await this.deps.store.save(key, result.session, ttlMs)) === 'conflict')
      throw new SessionConflictError();
    return {
      replies: result.replies,
      events: result.events,
      status: result.session.status,
      flowId: flow?.id ?? result.session.flowId,
    };
  }

  private context(): { now: Date; translate: Translate } {
    return { now: this.deps.clock(), translate: this.deps.translate };
  }
}
