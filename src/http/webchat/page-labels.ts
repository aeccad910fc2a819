import type { Variant } from '../../flow/flow.js';
import type { Runtime } from '../../runtime.js';
import { COMMON_NAMESPACE } from '../../engine/types.js';

/**
 * The web chat's own wording, from the `web_*` keys of `locales/<lang>/common.json`. A key a
 * new language does not have yet falls back to the English built into the page, so a
 * translator can add languages one key at a time.
 */
export const PAGE_LABEL_KEYS = [
  'web_title',
  'web_intro',
  'web_choose_flow',
  'web_choose_language',
  'web_plain_wording',
  'web_start',
  'web_your_reply',
  'web_send',
  'web_restart',
  'web_ended',
  'web_done',
  'web_you',
  'web_bot',
  'web_conversation',
  'web_show_sms',
  'web_sms_label',
] as const;

export type PageLabelKey = (typeof PAGE_LABEL_KEYS)[number];
export type PageLabels = Partial<Record<PageLabelKey, string>>;

/** The English the page is served with, and what it shows for a key no catalog has. */
export const ENGLISH_PAGE_LABELS: Readonly<Record<PageLabelKey, string>> = {
  web_title: 'Try a consultation',
  web_intro:
    "Answer as a respondent would. Conversations are kept in this server's memory only, so please do not enter real personal details.",
  web_choose_flow: 'Choose a consultation',
  web_choose_language: 'Choose a language',
  web_plain_wording: 'Use easy-read wording',
  web_start: 'Start',
  web_your_reply: 'Your reply',
  web_send: 'Send',
  web_restart: 'Start again',
  web_ended: 'The conversation has ended.',
  web_done: 'Done',
  web_you: 'You',
  web_bot: 'carevoice',
  web_conversation: 'Conversation',
  web_show_sms: 'Show how each reply reads as a text message',
  web_sms_label: 'As a text message:',
};

/**
 * The labels one language itself has, in the wording asked for. Keys it lacks are left out
 * rather than filled with English, so the page can mark its fallbacks with `lang="en"`.
 */
export function pageLabels(runtime: Runtime, language: string, variant: Variant): PageLabels {
  const labels: PageLabels = {};
  for (const key of PAGE_LABEL_KEYS) {
    if (!runtime.catalog.has(language, COMMON_NAMESPACE, key)) continue;
    labels[key] = runtime.translate({
      namespace: COMMON_NAMESPACE,
      key,
      language,
      variant,
      role: undefined,
    });
  }
  return labels;
}

/** `{ cy: { standard: {...}, plain: {...} }, ... }` for every language a page may switch to. */
export function pageLabelsByLanguage(
  runtime: Runtime,
  languages: readonly string[],
): Record<string, Record<Variant, PageLabels>> {
  return Object.fromEntries(
    languages.map((language) => [
      language,
      {
        standard: pageLabels(runtime, language, 'standard'),
        plain: pageLabels(runtime, language, 'plain'),
      },
    ]),
  );
}
