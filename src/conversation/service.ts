import { randomUUID } from 'node:crypto';
import type { Flow } from '../flow/flow.js';
import type { FlowRegistry } from '../flow/registry.js';
import { matchGlobalWord } from '../engine/answers/index.js';
import { expire, remind, startSession, step } from '../engine/step.js';
import { screenAfterEnd } from '../engine/safeguarding.js';
import type { ConcernAlerts } from '../safeguarding/alerts.js';
import type { SignpostingContacts } from '../safeguarding/signposting.js';
import type { OutboundSenders } from '../channels/outbound.js';
import type { SessionJob } from '../jobs/job-queue.js';
import type {
  EngineContext,
  EngineEvent,
  Input,
  Session,
  StartOptions,
  StepResult,
  Translate,
} from '../engine/types.js';
import type { Logger } from '../logger.js';
import type {
  ParticipantKey,
  ParticipantQueue,
  SessionStore,
  Turn,
} from '../store/session-store.js';
import type { HandledFields, ReceiveOptions } from './receive-options.js';
import { isOptInWord } from './opt-in.js';
import { DUPLICATE, NOTHING, OPTED_OUT, type Outcome } from './outcome.js';
import { pinnedFlow, stranded } from './pinned-flow.js';
import { rateHitOf, sessionChange } from './session-change.js';
import type { SessionTimers } from './session-timers.js';

export type { Outcome } from './outcome.js';

/** The message's last commit: its turn to give back, and what it counts and reports. */
interface Closing {
  readonly turn: Turn;
  readonly options: ReceiveOptions;
}

export interface ConversationDeps {
  readonly flows: FlowRegistry;
  readonly store: SessionStore;
  readonly queue: ParticipantQueue;
  readonly timers: SessionTimers;
  readonly senders: OutboundSenders;
  readonly translate: Translate;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** The pseudonymous id that stands for a participant in response records. */
  readonly refOf: (key: ParticipantKey) => string;
  /** Ids of response records; random unless a test fixes them. */
  readonly newId?: (() => string) | undefined;
  /** Tells coordinators of safeguarding concerns; without it concerns are only signposted. */
  readonly concerns?: ConcernAlerts | undefined;
  /** The deployment's help numbers; the UK national ones when absent. */
  readonly signposting?: SignpostingContacts | undefined;
}

export class FlowNotFoundError extends Error {
  readonly code = 'flow_not_found';
  constructor(readonly flowId: string) {
    super(`no flow named '${flowId}'`);
  }
}

/** Another process changed the session first; the provider should retry the message. */
export class SessionConflictError extends Error {
  readonly code = 'session_conflict';
  constructor() {
    super('the session changed while this message was handled');
  }
}

/** How long the message that opens a session waits for its timers to be queued. */
const TIMER_SCHEDULING_LIMIT_MS = 2_000;

/**
 * The one place that orders I/O around the pure engine, the same for every channel: one
 * message per participant at a time, duplicates dropped, load, step, commit atomically,
 * and when a session opens, its timers for reminders and expiry. Replies go back to the
 * channel to deliver.
 */
export class ConversationService {
  constructor(private readonly deps: ConversationDeps) {}

  /** Opens (or reopens) a flow for a participant, e.g. after an invitation or from the web chat. */
  start(key: ParticipantKey, flowId: string, options: StartOptions = {}): Promise<Outcome> {
    const flow = this.deps.flows.get(flowId);
    if (flow === undefined) return Promise.reject(new FlowNotFoundError(flowId));
    return this.deps.queue.run(key, async () => {
      const stored = await this.deps.store.load(key);
      const started = startSession(
        flow,
        { ...options, previousRevision: stored?.revision },
        this.context(),
      );
      return this.commit(key, flow, stored, started, undefined);
    });
  }

  /**
   * An inbound message: the answer to the waiting question, or a keyword that starts a flow.
   * `messageId` is the provider's id: a message seen before is not handled twice.
   */
  receive(
    key: ParticipantKey,
    input: Input,
    messageId?: string,
    options: ReceiveOptions = {},
  ): Promise<Outcome> {
    return this.deps.queue.runOpening(key, async (turn) => {
      const { inbound } = options;
      let received = 0;
      const opened = await this.deps.store.open(
        key,
        messageId,
        turn,
        inbound && rateHitOf(inbound, 1, (count) => (received = count)),
      );
      if (inbound !== undefined && received > inbound.limit)
        return { ...NOTHING, flooded: received };
      if (opened.duplicate) return DUPLICATE;
      const closing: Closing = { turn, options };
      if (opened.optedOut) return this.optIn(key, input);
      let stored = opened.session;
      if (stored?.status === 'active') {
        const flow = pinnedFlow(this.deps.flows, stored);
        if (flow === undefined)
          return this.commit(key, undefined, stored, stranded(stored), messageId, true, closing);
        const result = step(flow, { ...stored, flowVersion: flow.version }, input, this.context());
        if (result.session.status !== 'expired' || result.events[0]?.type !== 'flow_expired') {
          return this.commit(key, flow, stored, result, messageId, true, closing);
        }
        // The timer had not ended it yet: record the expiry, then treat the text afresh.
        await this.commit(key, flow, stored, result, undefined);
        stored = result.session;
      }
      if (input.type === 'text' && matchGlobalWord(input.text, [])?.word === 'stop')
        return this.optOut(key, stored);
      const match = input.type === 'text' ? this.deps.flows.byKeyword(input.text) : undefined;
      // Someone whose conversation has ended (say, texting "thanks") is not a stranger.
      if (match === undefined)
        return (
          this.screenEnded(key, stored, input) ?? { ...NOTHING, status: stored?.status ?? 'none' }
        );
      const started = startSession(
        match.flow,
        { language: match.language, previousRevision: stored?.revision },
        this.context(),
      );
      return this.commit(key, match.flow, stored, started, messageId, true, closing);
    });
  }

  /**
   * A timer of a session (see SessionTimers): it takes the participant's turn, like a message,
   * and then drops, sets itself again for later, or acts: ends the session, or sends the
   * reminder (only to someone who has not opted out).
   */
  runJob(job: SessionJob): Promise<void> {
    return this.deps.queue.run(job.key, async () => {
      const stored = await this.deps.store.load(job.key);
      const flow = stored === undefined ? undefined : pinnedFlow(this.deps.flows, stored);
      if (stored === undefined || flow === undefined) return;
      const decision = this.deps.timers.decide(job, flow, stored);
      if (decision.kind === 'drop') return;
      if (decision.kind === 'later') {
        await this.deps.timers.schedule(decision.job);
        return;
      }
      const session = { ...stored, flowVersion: flow.version };
      if (job.type === 'expiry') {
        await this.commit(job.key, flow, stored, expire(flow, session, this.context()), undefined);
        return;
      }
      const sender = this.deps.senders[job.key.channel];
      if (sender === undefined || (await this.deps.store.isOptedOut(job.key))) return;
      // Set for the next silence before sending: if the send fails, the job is retried and
      // sends; if setting it fails, nothing has been sent twice.
      if (decision.next !== undefined) await this.deps.timers.schedule(decision.next);
      const { replies } = remind(flow, session, this.context());
      await sender.send(job.key, replies, { flowId: flow.id });
      this.deps.logger.info(
        { channel: job.key.channel, flowId: flow.id, job: job.id },
        'reminder handed to the channel',
      );
    });
  }

  /** STOP with no conversation under way still stops every future message. */
  private async optOut(key: ParticipantKey, last: Session | undefined): Promise<Outcome> {
    await this.deps.store.setOptedOut(key, true);
    this.deps.logger.info({ channel: key.channel }, 'opted out');
    return { ...NOTHING, replies: [{ type: 'message', text: this.commonText('stopped', last) }] };
  }

  /** Someone who sent STOP hears nothing more until they send START. */
  private async optIn(key: ParticipantKey, input: Input): Promise<Outcome> {
    if (input.type !== 'text' || !isOptInWord(input.text)) return OPTED_OUT;
    await this.deps.store.setOptedOut(key, false);
    const [last] = await this.deps.store.history(key);
    return { ...NOTHING, replies: [{ type: 'message', text: this.commonText('opted_in', last) }] };
  }

  /** Shared wording in the language and variant the person last used. */
  private commonText(key: string, last: Session | undefined): string {
    return this.deps.translate({
      namespace: 'common',
      key,
      language: last?.language ?? 'en',
      variant: last?.variant ?? 'standard',
      role: undefined,
    });
  }

  private async commit(
    key: ParticipantKey,
    flow: Flow | undefined,
    stored: Session | undefined,
    result: StepResult,
    messageId: string | undefined,
    /** The person wrote this (rather than an invitation or a timer acting). */
    replied = false,
    /** The message's last commit: its turn is given back here if nothing follows. */
    closing?: Closing,
  ): Promise<Outcome> {
    const now = this.deps.clock();
    const change = sessionChange({
      stored,
      result,
      messageId,
      replied,
      now,
      keepPartial: (flow ?? this.deps.flows.get(result.session.flowId))?.keepPartial ?? false,
      recordSource: () => ({
        id: (this.deps.newId ?? randomUUID)(),
        respondent: this.deps.refOf(key),
        channel: key.channel,
        endedAt: now,
      }),
    });
    // A session's timers are set when it opens, in the participant's turn (a later message
    // that starts another session must find them set, to replace them): that commit keeps
    // the turn, any other gives it back. If they could not be set then, the next message
    // sets them.
    const arming =
      flow !== undefined &&
      change.session.status === 'active' &&
      (result.events.some((event) => event.type === 'flow_started') ||
        change.session.timersPending === true);
    const session = arming ? withoutTimersPending(change.session) : change.session;
    const outbound = closing?.options.outbound;
    let sent: number | undefined;
    const saved = await this.deps.store.commit(key, {
      ...change,
      session,
      release: arming ? undefined : closing?.turn,
      hit:
        outbound === undefined || result.replies.length === 0
          ? undefined
          : rateHitOf(outbound, result.replies.length, (count) => (sent = count)),
    });
    if (saved === 'duplicate') return DUPLICATE;
    if (saved === 'conflict') throw new SessionConflictError();
    const handled: HandledFields = {
      channel: key.channel,
      flowId: session.flowId,
      status: session.status,
      revision: session.revision,
      events: result.events.map((e) => e.type),
    };
    const report = closing?.options.report;
    if (report === undefined) this.deps.logger.info(handled, 'message handled');
    else report(handled);
    this.alertConcerns(key, session, result.events);
    if (arming && !(await this.armTimers(key, flow, session)))
      await this.markTimersPending(key, session, change.ttlMs);
    return {
      replies: result.replies,
      events: result.events,
      status: session.status,
      flowId: session.flowId,
      duplicate: false,
      sent,
    };
  }

  /**
   * The answer is already safe; timers are a courtesy. If the job queue is slow or down, the
   * message still succeeds (false: not set), and the session is marked for the next message.
   */
  private async armTimers(key: ParticipantKey, flow: Flow, session: Session): Promise<boolean> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.deps.timers.arm(key, flow, session),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error('timed out')), TIMER_SCHEDULING_LIMIT_MS);
        }),
      ]);
      return true;
    } catch (error) {
      this.deps.logger.warn(
        { flowId: flow.id, err: (error as Error).message },
        'reminder and expiry timers not set; the next message sets them',
      );
      return false;
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Still in the participant's turn: only this message can have changed the session. */
  private async markTimersPending(
    key: ParticipantKey,
    session: Session,
    ttlMs: number,
  ): Promise<void> {
    const marked: Session = { ...session, timersPending: true, revision: session.revision + 1 };
    try {
      await this.deps.store.commit(key, {
        session: marked,
        expectedRevision: session.revision,
        ttlMs,
      });
    } catch (error) {
      this.deps.logger.warn(
        { flowId: session.flowId, err: (error as Error).message },
        'session not marked for its timers',
      );
    }
  }

  /** A concern in a message after the conversation ended: signposting, an alert, nothing stored. */
  private screenEnded(
    key: ParticipantKey,
    last: Session | undefined,
    input: Input,
  ): Outcome | undefined {
    if (last === undefined || input.type !== 'text') return undefined;
    const flow =
      this.deps.flows.get(last.flowId, last.flowVersion) ?? this.deps.flows.get(last.flowId);
    const result = flow && screenAfterEnd(flow, last, input.text, this.context());
    if (result === undefined) return undefined;
    this.alertConcerns(key, last, result.events);
    return { ...NOTHING, replies: result.replies, events: result.events, status: last.status };
  }

  private alertConcerns(
    key: ParticipantKey,
    session: Session,
    events: readonly EngineEvent[],
  ): void {
    for (const event of events)
      if (event.type === 'concern_raised') this.deps.concerns?.raised(key, session, event);
  }

  private context(): EngineContext {
    return {
      now: this.deps.clock(),
      translate: this.deps.translate,
      signposting: this.deps.signposting,
    };
  }
}

function withoutTimersPending(session: Session): Session {
  if (session.timersPending === undefined) return session;
  const copy: Session = { ...session };
  delete (copy as { timersPending?: true }).timersPending;
  return copy;
}
