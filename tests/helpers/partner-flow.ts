import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { post } from './http.js';

export const FLOW_ID = 'friends-and-family';
export const PARTNER_ID = 'trust';
export const SECRET_ENV = 'TRUST_WEBHOOK_SECRET';
export const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

/**
 * A flows folder holding the shipped Friends and Family flow with its partner's webhook moved
 * to `partnerUrl` (a test partner on 127.0.0.1); its texts are the shipped ones in `locales`.
 */
export function writePartnerFlow(dir: string, partnerUrl: string): string {
  const flowsDir = join(dir, 'flows');
  mkdirSync(flowsDir, { recursive: true });
  const source = readFileSync(`flows/${FLOW_ID}.yaml`, 'utf8');
  if (!/webhook: \S+/.test(source)) throw new Error(`the shipped ${FLOW_ID} flow has no webhook`);
  writeFileSync(
    join(flowsDir, `${FLOW_ID}.yaml`),
    source.replace(/webhook: \S+/, `webhook: ${partnerUrl}`),
  );
  return flowsDir;
}

/** Retries a request the server refused with 503 (Redis away), as a provider would. */
async function postUntilAccepted(
  base: string,
  path: string,
  body: unknown,
  deadline: number,
): Promise<Record<string, unknown>> {
  for (;;) {
    const answer = await post(base, path, body).catch(() => undefined);
    if (answer !== undefined && answer.status < 300) return answer.json;
    if (answer !== undefined && answer.status !== 503) {
      throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    }
    if (Date.now() > deadline) throw new Error(`${path} still refused at the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * One web chat conversation through the Friends and Family flow to its end, each message with
 * its own id so a retried message is not taken twice. Returns the conversation id.
 */
export async function completeConversation(base: string, n: number): Promise<string> {
  const deadline = Date.now() + 60_000;
  const started = await postUntilAccepted(
    base,
    '/chat/api/conversations',
    { flowId: FLOW_ID },
    deadline,
  );
  const id = String(started['conversationId']);
  const answers = [String(1 + (n % 5)), `Reason number ${n}`, 'Nothing else'];
  for (const [i, text] of answers.entries()) {
    const messageId = `00000000-0000-4000-8000-${String(n * 10 + i).padStart(12, '0')}`;
    const reply = await postUntilAccepted(
      base,
      `/chat/api/conversations/${id}/messages`,
      { text, messageId },
      deadline,
    );
    if (i === answers.length - 1 && reply['status'] !== 'completed') {
      throw new Error(`conversation ${n} did not complete: ${JSON.stringify(reply['status'])}`);
    }
  }
  return id;
}
