/**
 * Slack's message text marks links, mentions and three escaped characters (`&amp;`, `&lt;`,
 * `&gt;`). What a person typed is read back as they saw it: `<https://x|the form>` is "the
 * form", a mention of someone is "@someone" (their user id is not kept), `&lt;3` is "<3".
 */
export function plainTextOf(slackText: string): string {
  return slackText
    .replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_whole, target: string, label: string | undefined) =>
      label !== undefined && label !== '' ? label : readableTarget(target),
    )
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function readableTarget(target: string): string {
  if (target.startsWith('@')) return '@someone';
  if (target.startsWith('#')) return '#channel';
  if (target.startsWith('!')) return `@${target.slice(1).split('^')[0] ?? ''}`;
  return target;
}

/** Text safe inside mrkdwn: only these three characters are control characters there. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Block Kit refuses labels over a limit (75 for buttons); the end is cut with an ellipsis. */
export function fitTo(text: string, limit: number): string {
  const characters = [...text];
  return characters.length <= limit ? text : `${characters.slice(0, limit - 1).join('')}…`;
}
