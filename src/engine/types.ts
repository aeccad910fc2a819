import type { AskKind } from '../flow/schema.js';
import type { Variant } from '../flow/flow.js';
import type { ConcernCategory } from '../safeguarding/matcher.js';
import type { SignpostingContacts } from '../safeguarding/signposting.js';

/** `declined`: the person said no at the consent step; nothing of theirs is kept as answers. */
export type SessionStatus =
  'active' | 'completed' | 'expired' | 'opted_out' | 'halted' | 'declined';

/** How an answer ended up recorded. `unanswered` means two unclear replies, never a guess. */
export type AnswerValue = string | number | readonly string[];
export type Answer =
  | { readonly status: 'answered'; readonly value: AnswerValue; readonly at: string }
  | { readonly status: 'skipped' | 'unanswered'; readonly at: string };

/**
 * One respondent's place in one flow. Plain data, safe to serialise as JSON.
 * It holds the flow's id and version, never the flow itself.
 */
export interface Session {
  readonly flowId: string;
  readonly flowVersion: string;
  readonly status: SessionStatus;
  /** The step waiting for a reply (or the last step reached once the session ended). */
  readonly stepId: string;
  readonly language: string;
  readonly variant: Variant;
  readonly role: string | undefined;
  /** Unclear replies to the current step so far. */
  readonly attempts: number;
  /** Extra messages gathered into the current open answer so far. */
  readonly followUps: number;
  /** Answers by `save` name (or step id when a step has no `save`). */
  readonly answers: Readonly<Record<string, Answer>>;
  /**
   * When the person first wrote in this session (a keyword counts). Unset while a session
   * opened by an invitation waits for its first reply. Set by the conversation service.
   */
  readonly repliedAt?: string;
  /**
   * The reminder and expiry timers could not be set when the session opened (the job queue
   * was down): the next message sets them. Set by the conversation service.
   */
  readonly timersPending?: true;
  /** Present once the person agreed at the flow's consent step. */
  readonly consent?: ConsentGiven;
  /** Values the invitation supplied (e.g. a name for greetings), used in text interpolation. */
  readonly params: Readonly<Record<string, string>>;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  /** Increases with every change; stores use it to refuse lost updates. */
  readonly revision: number;
}

/** What a person agreed to and when: the wording is the text key in this language and variant of this version. */
export interface ConsentGiven {
  readonly stepId: string;
  readonly textKey: string;
  readonly language: string;
  readonly variant: Variant;
  readonly flowVersion: string;
  readonly at: string;
}

export interface StartOptions {
  readonly language?: string | undefined;
  readonly variant?: Variant | undefined;
  readonly role?: string | undefined;
  readonly params?: Readonly<Record<string, string>> | undefined;
  /** The revision of this participant's previous session, so revisions never repeat for them. */
  readonly previousRevision?: number | undefined;
}

/** What a respondent did. A tapped button arrives as `choice`, anything typed as `text`. */
export type Input =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'choice'; readonly stepId: string; readonly values: readonly string[] };

export interface ReplyOption {
  readonly key: string;
  readonly label: string;
}

/** A structured reply: channels decide how to show it (numbered list for SMS, buttons for chat). */
export type Reply =
  | { readonly type: 'message'; readonly text: string }
  | {
      readonly type: 'question';
      readonly stepId: string;
      readonly ask: AskKind;
      readonly text: string;
      /** How to answer, e.g. "Reply with a number from 1 to 5". */
      readonly hint: string | undefined;
      readonly options: readonly ReplyOption[];
      readonly multiple: boolean;
    };

/** Past-tense facts the engine reports; adapters, stores and logs interpret them. */
export type EngineEvent =
  | { readonly type: 'flow_started'; readonly flowId: string; readonly flowVersion: string }
  | {
      readonly type: 'answer_saved';
      readonly stepId: string;
      readonly name: string;
      readonly answer: Answer;
    }
  | { readonly type: 'answer_unclear'; readonly stepId: string; readonly attempt: number }
  | { readonly type: 'language_changed'; readonly language: string }
  | { readonly type: 'variant_changed'; readonly variant: Variant }
  | { readonly type: 'help_requested'; readonly stepId: string }
  | { readonly type: 'reminder_sent'; readonly stepId: string }
  | { readonly type: 'flow_completed' }
  | { readonly type: 'flow_expired' }
  | { readonly type: 'opted_out' }
  | { readonly type: 'consent_given'; readonly stepId: string }
  | { readonly type: 'consent_declined'; readonly stepId: string }
  | {
      /** Words in a message matched a safeguarding phrase; the person was signposted to help. */
      readonly type: 'concern_raised';
      /** The step waiting when the message came (the last step, if the conversation had ended). */
      readonly stepId: string;
      readonly category: ConcernCategory;
      /** The language of the phrase list that matched. */
      readonly language: string;
      /** What the conversation does now: asks on, stopped by the flow's `then: pause`, or is over. */
      readonly conversation: 'continues' | 'paused' | 'ended';
    }
  | {
      readonly type: 'flow_halted';
      /** `concern`: the flow pauses after a safeguarding concern (`then: pause`). */
      readonly reason: 'step_limit' | 'missing_step' | 'concern';
      readonly stepId: string;
    };

export interface StepResult {
  readonly session: Session;
  readonly replies: readonly Reply[];
  readonly events: readonly EngineEvent[];
}

/** The namespace that holds shared wording: prompts, re-asks, HELP and STOP replies, option labels. */
export const COMMON_NAMESPACE = 'common';

export interface TextRequest {
  /** `common` or a flow id. */
  readonly namespace: string;
  readonly key: string;
  readonly language: string;
  readonly variant: Variant;
  readonly role: string | undefined;
  readonly params?: Readonly<Record<string, string | number>>;
}

/**
 * The engine's port to translations. It returns the best wording for the request:
 * role and plain variants first, then the standard text, then the flow's default language.
 */
export type Translate = (request: TextRequest) => string;

export interface EngineContext {
  readonly now: Date;
  readonly translate: Translate;
  /** The deployment's help numbers for signposting; the UK national ones when absent. */
  readonly signposting?: SignpostingContacts | undefined;
}
