import type { types } from '@slack/bolt';
import type { Flow } from '../../flow/flow.js';
import { slackParticipant, type SlackChannelDeps } from './deps.js';
import { escapeMrkdwn } from './text.js';
import { lastWording, type Wording } from './wording.js';

/** `/carevoice` in the app manifest. */
export const SLASH_COMMAND = '/carevoice';
/** The list is the command's answer, due within Slack's 3 seconds: the language lookup gets 1. */
const WORDING_LOOKUP_LIMIT_MS = 1_000;
const DEFAULT_WORDING: Wording = { language: 'en', variant: 'standard' };

export interface EphemeralResponse {
  readonly response_type: 'ephemeral';
  readonly text: string;
  readonly blocks: types.KnownBlock[];
}

/**
 * The answer to `/carevoice`, seen only by the person who typed it: each consultation they
 * can start, with its title in their language (if carevoice has talked with them before) and
 * the keyword to send in the app's DM, the one that starts it in that language if there is one.
 */
export async function consultationList(
  deps: SlackChannelDeps,
  userId: string,
): Promise<EphemeralResponse> {
  const wording =
    (await withinLimit(lastWording(deps.store, slackParticipant(userId)))) ?? DEFAULT_WORDING;
  const common = (key: string, params: Record<string, string> = {}): string =>
    deps.translate({ namespace: 'common', key, ...wording, role: undefined, params });
  const open = deps.flows
    .list()
    .filter((flow) => flow.keywords.length > 0)
    .map((flow) => ({
      title: deps.translate({
        namespace: flow.id,
        key: 'title',
        ...wording,
        role: undefined,
      }),
      keyword: keywordFor(flow, wording.language),
    }));
  const heading = common('web_choose_flow');
  const lines = open.map(({ title, keyword }) => `• *${escapeMrkdwn(title)}*: \`${keyword}\``);
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: [`*${escapeMrkdwn(heading)}*`, ...lines].join('\n') },
    },
  ];
  const example = open[0]?.keyword;
  if (example !== undefined) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'plain_text', text: common('unknown_sender', { keyword: example }) }],
    });
  }
  const text = [heading, ...open.map(({ title, keyword }) => `${title}: ${keyword}`)].join('\n');
  return { response_type: 'ephemeral', text: escapeMrkdwn(text), blocks };
}

/** The keyword that starts the flow in this language, else one that names no language, else the first. */
function keywordFor(flow: Flow, language: string): string {
  const named = flow.keywordLanguages;
  return (
    flow.keywords.find((word) => named[word] === language) ??
    flow.keywords.find((word) => named[word] === undefined) ??
    (flow.keywords[0] as string)
  );
}

function withinLimit<T>(lookup: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), WORDING_LOOKUP_LIMIT_MS);
  });
  return Promise.race([lookup, timeout]).finally(() => clearTimeout(timer));
}
