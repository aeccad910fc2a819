import type { Translate } from '../../engine/types.js';
import type { Variant } from '../../flow/flow.js';
import type { ParticipantKey, SessionStore } from '../../store/session-store.js';
import type { ChatLabels } from './blocks.js';

export interface Wording {
  readonly language: string;
  readonly variant: Variant;
}

const DEFAULT_WORDING: Wording = { language: 'en', variant: 'standard' };

/**
 * The language and wording the person last used: their current session, else the newest
 * ended one. Undefined for someone carevoice has not talked to, or when the store fails
 * (the caller then falls back to the default; wording is never worth failing a reply for).
 */
export async function lastWording(
  store: SessionStore,
  key: ParticipantKey,
): Promise<Wording | undefined> {
  try {
    const session = (await store.load(key)) ?? (await store.history(key))[0];
    return session === undefined
      ? undefined
      : { language: session.language, variant: session.variant };
  } catch {
    return undefined;
  }
}

/**
 * The channel's own labels in the person's wording, looked up only when a reply needs them
 * (a multiple choice's Done button) and then once.
 */
export function chatLabelsFor(
  deps: { readonly store: SessionStore; readonly translate: Translate },
  key: ParticipantKey,
): () => Promise<ChatLabels> {
  let labels: Promise<ChatLabels> | undefined;
  return () => {
    labels ??= lastWording(deps.store, key).then((wording) => {
      const { language, variant } = wording ?? DEFAULT_WORDING;
      const done = deps.translate({
        namespace: 'common',
        key: 'web_done',
        language,
        variant,
        role: undefined,
      });
      return { done };
    });
    return labels;
  };
}
