import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { loadConfig } from '../../src/config.js';
import { createApp, DrainState } from '../../src/http/app.js';
import type { Logger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

/** The settings and helpers the erasure, retention and log tests share. */
export const AUTH_TOKEN = 'privacy-test-auth-token-0123456789';
export const PUBLIC_URL = 'https://carevoice.example.org';
export const ADMIN_TOKEN = 'privacy-admin-token-0123456789abcdef';
export const PSEUDONYM_KEY = 'privacy-test-pseudonym-key-000000000001';
export const PARTNER_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
export const TWILIO_ENV = {
  TWILIO_ACCOUNT_SID: `AC${'2'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_FROM: '+447700900000',
  PUBLIC_URL,
};

/**
 * A flows folder with the shipped Friends and Family flow, its partner's webhook moved to
 * `partnerUrl` (a receiver on 127.0.0.1) and, when given, a `retention:` line. Removed by `cleanUp`.
 */
export function partnerFlows(
  partnerUrl: string,
  retention?: string,
): { dir: string; cleanUp: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'carevoice-privacy-'));
  const dir = join(root, 'flows');
  mkdirSync(dir);
  const source = readFileSync('flows/friends-and-family.yaml', 'utf8')
    .replace(/webhook: \S+/, `webhook: ${partnerUrl}`)
    .replace(/^start: /m, `${retention === undefined ? '' : `retention: ${retention}\n`}start: `);
  writeFileSync(join(dir, 'friends-and-family.yaml'), source);
  return { dir, cleanUp: () => rmSync(root, { recursive: true, force: true }) };
}

export interface PrivacyApp {
  readonly runtime: Runtime;
  readonly base: string;
  close(): Promise<void>;
}

/** `createRuntime` and `createApp` as `carevoice serve` builds them, on a free port of 127.0.0.1. */
export async function startPrivacyApp(
  env: Readonly<Record<string, string>>,
  options: { readonly logger: Logger; readonly clock?: () => Date },
): Promise<PrivacyApp> {
  const fullEnv = {
    NODE_ENV: 'test',
    PSEUDONYM_KEY,
    ADMIN_TOKEN,
    PARTNER_HTTP_HOSTS: '127.0.0.1',
    TRUST_WEBHOOK_SECRET: PARTNER_SECRET,
    ...env,
  };
  const runtime = await createRuntime(loadConfig(fullEnv), { ...options, env: fullEnv });
  const drain = new DrainState();
  const server = createServer(createApp(runtime, drain));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    runtime,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      drain.begin();
      await drain.settled();
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await runtime.close();
    },
  };
}

let sequence = 0;

/** A new Twilio message SID. */
export function messageSid(): string {
  sequence++;
  return `SM${sequence.toString(16).padStart(32, 'a')}`;
}

/** Posts an inbound message as Twilio does: form-encoded, signed over the public URL. */
export async function postTwilio(
  base: string,
  from: string,
  body: string,
  options: { readonly signature?: string } = {},
): Promise<{ status: number; text: string }> {
  const sid = messageSid();
  const params: Record<string, string> = {
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: TWILIO_ENV.TWILIO_ACCOUNT_SID,
    From: from,
    To: from.startsWith('whatsapp:')
      ? `whatsapp:${TWILIO_ENV.TWILIO_FROM}`
      : TWILIO_ENV.TWILIO_FROM,
    Body: body,
    NumMedia: '0',
    ApiVersion: '2010-04-01',
  };
  const signature =
    options.signature ??
    twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/messages`, params);
  const response = await fetch(`${base}/twilio/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text() };
}

/** Sends each text in turn and expects every one to be taken (200). */
export async function converse(
  base: string,
  from: string,
  texts: readonly string[],
): Promise<void> {
  for (const text of texts) {
    const { status } = await postTwilio(base, from, text);
    if (status !== 200) throw new Error(`a message was refused with ${status}`);
  }
}

/** `DELETE /api/participants` with the address in the body, as the docs say. */
export async function eraseOverApi(
  base: string,
  body: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}/api/participants`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
