import { AsyncLocalStorage } from 'node:async_hooks';
import type twilio from 'twilio';
import type {
  MessageInstance,
  MessageListInstanceCreateOptions,
} from 'twilio/lib/rest/api/v2010/account/message.js';
import type { TwilioConfig } from '../../config.js';

/**
 * The part of Twilio's REST client carevoice uses. The SDK (a large CommonJS package with its
 * own HTTP stack) is loaded at the first send, so a server that only answers with TwiML never
 * carries it.
 */
export interface TwilioClient {
  readonly messages: {
    create(params: MessageListInstanceCreateOptions): Promise<MessageInstance>;
  };
}

/**
 * How long one REST call may take. Sends run inside the participant's turn, so this bounds
 * how long a slow Twilio can hold that person's next message.
 */
const DEFAULT_TIMEOUT_MS = 10_000;

export interface TwilioClientOptions {
  readonly timeoutMs?: number | undefined;
}

/** Where `captureResponseHeaders` collects the headers of the call made inside it. */
const headerSinks = new AsyncLocalStorage<{ headers: unknown }>();

/**
 * A REST client with the library's own retries off (`autoRetry: false`): the sender's retry
 * policy is then the only one, and it alone decides which failures are safe to send again.
 */
export function createTwilioClient(
  config: TwilioConfig,
  options: TwilioClientOptions = {},
): TwilioClient {
  let rest: Promise<ReturnType<typeof twilio>> | undefined;
  const loaded = (): Promise<ReturnType<typeof twilio>> => {
    rest ??= import('twilio').then(({ default: createRest }) =>
      restClient(createRest, config, options),
    );
    return rest;
  };
  return {
    messages: { create: async (params) => (await loaded()).messages.create(params) },
  };
}

function restClient(
  createRest: typeof twilio,
  config: TwilioConfig,
  options: TwilioClientOptions,
): ReturnType<typeof twilio> {
  const client = createRest(config.accountSid, config.authToken, {
    autoRetry: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  // The library's errors keep the status and Twilio code but drop the headers, and a 429's
  // Retry-After is in the headers; this hands them to the call that is waiting for them.
  client.httpClient.axios.interceptors.response.use((response) => {
    const sink = headerSinks.getStore();
    if (sink !== undefined) sink.headers = response.headers;
    return response;
  });
  return client;
}

/**
 * Runs one REST call and reports the headers of its HTTP response alongside its outcome
 * (`headers` stays undefined when no response arrived). Calls running at the same time each
 * see their own: the sink follows the async context, not a shared "last response".
 */
export async function captureResponseHeaders<T>(
  call: () => Promise<T>,
): Promise<
  | { readonly ok: true; readonly value: T; readonly headers: unknown }
  | { readonly ok: false; readonly error: unknown; readonly headers: unknown }
> {
  const sink: { headers: unknown } = { headers: undefined };
  return headerSinks.run(sink, async () => {
    try {
      const value = await call();
      return { ok: true, value, headers: sink.headers } as const;
    } catch (error) {
      return { ok: false, error, headers: sink.headers } as const;
    }
  });
}
