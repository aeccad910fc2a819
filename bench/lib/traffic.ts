import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/** What Twilio would call: signatures are made against this, never the loopback address. */
export const PUBLIC_URL = 'https://carevoice.example.org';
export const WEBHOOK_PATH = '/twilio/messages';

/** One participant's side of a real conversation with the demo flow, keyword first. */
export const CONVERSATION: readonly string[] = [
  'DAYCENTRE',
  '1',
  'The staff are lovely but it shuts at 3 and Saturdays feel very long.',
  'My daughter works weekends so I am on my own.',
  'no thanks',
  '3',
  'YES!!',
  'mornings and evenings',
  '4',
];

export interface SignedRequest {
  readonly body: string;
  readonly signature: string;
}

export interface TrafficOptions {
  readonly numbers: number;
  readonly accountSid: string;
  readonly authToken: string;
  readonly to: string;
}

/**
 * The inbound webhooks of many people, in order: request i comes from number i mod N and
 * carries that person's next message, so with N numbers each person's messages are N requests
 * apart and arrive in order. One sequence is shared by every run against carevoice, so
 * conversations carry on from run to run.
 */
export class ConversationTraffic {
  private sent = 0;
  /** Unique per bench run, so message ids never repeat across runs against one Redis. */
  private readonly runId = randomBytes(4).toString('hex');

  constructor(private readonly options: TrafficOptions) {}

  /**
   * The next `count` requests, built and signed now, outside any measured window. Call
   * `finish()` on the feed after the run: what was not sent is handed out again next time.
   */
  take(count: number): RequestFeed {
    const start = this.sent;
    const pool = Array.from({ length: count }, (_, i) => this.build(start + i));
    return new RequestFeed(
      pool,
      (index) => this.build(start + index),
      (used) => (this.sent = start + used),
    );
  }

  private build(index: number): SignedRequest {
    const { numbers, accountSid, authToken, to } = this.options;
    const person = index % numbers;
    const turn = Math.floor(index / numbers);
    const from = `+1555${String(person).padStart(7, '0')}`;
    const sid = `SM${this.runId}${index.toString(16).padStart(24, '0')}`;
    // The parameters Twilio sends with an inbound SMS (a realistic, 20-parameter body).
    const params: Record<string, string> = {
      ToCountry: 'GB',
      ToState: '',
      SmsMessageSid: sid,
      NumMedia: '0',
      ToCity: '',
      FromZip: '',
      SmsSid: sid,
      FromState: '',
      SmsStatus: 'received',
      FromCity: '',
      Body: CONVERSATION[turn % CONVERSATION.length] ?? '',
      FromCountry: 'US',
      To: to,
      MessagingServiceSid: `MG${'0'.repeat(32)}`,
      ToZip: '',
      NumSegments: '1',
      MessageSid: sid,
      AccountSid: accountSid,
      From: from,
      ApiVersion: '2010-04-01',
    };
    return {
      body: new URLSearchParams(params).toString(),
      signature: twilio.getExpectedTwilioSignature(
        authToken,
        `${PUBLIC_URL}${WEBHOOK_PATH}`,
        params,
      ),
    };
  }
}

/** Pre-built requests handed out in order; past the pool, built on demand (and counted). */
export class RequestFeed {
  private next = 0;
  /** Requests the pool was too small for: they cost the load generator time while measuring. */
  builtLate = 0;

  constructor(
    private readonly pool: readonly SignedRequest[],
    private readonly build: (index: number) => SignedRequest,
    private readonly onFinish: (used: number) => void,
  ) {}

  take(): SignedRequest {
    const index = this.next++;
    const request = this.pool[index];
    if (request !== undefined) return request;
    this.builtLate++;
    return this.build(index);
  }

  get used(): number {
    return this.next;
  }

  finish(): void {
    this.onFinish(this.next);
  }
}
