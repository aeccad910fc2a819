import { describe, expect, it } from 'vitest';
import { signWebhook, webhookSecretProblem } from '../src/partners/signature.js';
import { receiverAccepts } from './helpers/webhook-receiver.js';

// The test vector published with the spec and used by its reference libraries.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const NOW = new Date('2026-11-20T10:00:00.250Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const message = {
  id: 'msg_0123456789abcdef',
  body: '{"type":"response.completed","data":{"a":1}}',
};

describe('Standard Webhooks signature', () => {
  it('reproduces the published test vector', () => {
    const headers = signWebhook(
      VECTOR.secret,
      { id: VECTOR.id, body: VECTOR.body },
      new Date(VECTOR.timestamp * 1000),
    );
    expect(headers).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
  });

  it('is accepted by an independent receiver, timestamped in whole seconds', () => {
    const headers = signWebhook(SECRET, message, NOW);
    expect(headers['webhook-timestamp']).toBe(String(NOW_SECONDS));
    expect(receiverAccepts(SECRET, headers, message.body, NOW_SECONDS)).toBe(true);
  });

  it('is refused with a tampered body, id or timestamp, or the wrong secret', () => {
    const headers = signWebhook(SECRET, message, NOW);
    expect(receiverAccepts(SECRET, headers, message.body.replace('1', '2'), NOW_SECONDS)).toBe(
      false,
    );
    expect(
      receiverAccepts(SECRET, { ...headers, 'webhook-id': 'msg_other' }, message.body, NOW_SECONDS),
    ).toBe(false);
    const shifted = { ...headers, 'webhook-timestamp': String(NOW_SECONDS + 1) };
    expect(receiverAccepts(SECRET, shifted, message.body, NOW_SECONDS)).toBe(false);
    expect(receiverAccepts(OLD_SECRET, headers, message.body, NOW_SECONDS)).toBe(false);
  });

  it('is refused outside the receiver tolerance, either side', () => {
    const headers = signWebhook(SECRET, message, NOW);
    expect(receiverAccepts(SECRET, headers, message.body, NOW_SECONDS + 300)).toBe(true);
    expect(receiverAccepts(SECRET, headers, message.body, NOW_SECONDS + 301)).toBe(false);
    expect(receiverAccepts(SECRET, headers, message.body, NOW_SECONDS - 301)).toBe(false);
  });

  it('signs with every secret while one is being rotated, so either verifies', () => {
    const headers = signWebhook(`${SECRET} ${OLD_SECRET}`, message, NOW);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(receiverAccepts(SECRET, headers, message.body, NOW_SECONDS)).toBe(true);
    expect(receiverAccepts(OLD_SECRET, headers, message.body, NOW_SECONDS)).toBe(true);
  });

  it('reads a secret without the whsec_ prefix as base64, as the reference libraries do', () => {
    const bare = signWebhook(VECTOR.secret.slice('whsec_'.length), message, NOW);
    expect(bare).toEqual(signWebhook(VECTOR.secret, message, NOW));
  });

  it.each([
    ['whsec_not-base64!', 'the secret is not whsec_ followed by base64'],
    [`whsec_${Buffer.alloc(16).toString('base64')}`, 'the secret holds 16 bytes; use 24 to 64'],
    [`${SECRET} whsec_%%%`, 'secret 2 is not whsec_ followed by base64'],
  ])('refuses the secret setting %j, saying why', (setting, problem) => {
    expect(webhookSecretProblem(setting)).toContain(problem);
    expect(() => signWebhook(setting, message, NOW)).toThrow(
      expect.objectContaining({ code: 'partner_secret_invalid' }),
    );
  });

  it('has no problem with a good secret or a rotation pair', () => {
    expect(webhookSecretProblem(SECRET)).toBeUndefined();
    expect(webhookSecretProblem(`${SECRET} ${OLD_SECRET}`)).toBeUndefined();
  });
});
