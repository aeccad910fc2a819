/** XML 1.0 cannot carry these at all, escaped or not: they are dropped. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\r': '&#xD;',
};

/**
 * The TwiML answer to an inbound message: one `<Message>` per text, written as the Twilio
 * SDK's `MessagingResponse` writes it. Built by hand because it runs for every message and
 * the SDK's XML builder costs more than the rest of the reply.
 */
export function messagingTwiml(texts: readonly string[]): string {
  const messages = texts
    .map(escapeText)
    .map((text) => (text === '' ? '<Message/>' : `<Message>${text}</Message>`))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>${messages === '' ? '<Response/>' : `<Response>${messages}</Response>`}`;
}

function escapeText(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>\r]/g, (char) => ESCAPES[char] ?? char);
}
