import type { Config } from './config.js';
import { ConversationService } from './conversation/service.js';
import type { FlowRegistry } from './flow/registry.js';
import { loadContent } from './flow/content.js';
import { FlowValidationError } from './flow/problems.js';
import type { TextCatalog } from './i18n/catalog.js';
import { createTranslate } from './i18n/translate.js';
import type { Translate } from './engine/types.js';
import type { Logger } from './logger.js';
import { MemorySessionStore } from './store/memory-session-store.js';
import type { SessionStore } from './store/session-store.js';

/** Every long-lived part of a running carevoice, built in one place from the config. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly flows: FlowRegistry;
  readonly catalog: TextCatalog;
  readonly translate: Translate;
  readonly store: SessionStore;
  readonly conversations: ConversationService;
  /** `embedded` keeps sessions in this process; `redis` shares them between processes. */
  readonly mode: 'embedded' | 'redis';
  readonly ready: () => Promise<boolean>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly logger: Logger;
  readonly clock?: () => Date;
}

/** Loads translations and flows (refusing broken ones) and wires the conversation service. */
export function createRuntime(config: Config, options: RuntimeOptions): Runtime {
  const { logger } = options;
  const clock = options.clock ?? ((): Date => new Date());
  if (config.redisUrl !== undefined) {
    throw new FlowValidationError([
      {
        file: 'REDIS_URL',
        path: '',
        message: 'this release keeps sessions in memory only; unset REDIS_URL',
      },
    ]);
  }
  const { flows, catalog } = loadContent(config);
  const translate = createTranslate(
    catalog,
    (namespace) => flows.get(namespace)?.languages[0] ?? 'en',
  );
  const store = new MemorySessionStore(clock);
  logger.warn(
    { mode: 'embedded' },
    'no REDIS_URL: sessions are kept in memory and lost on restart (fine for trying carevoice, not for a consultation)',
  );
  logger.info(
    { flows: flows.list().map((flow) => ({ id: flow.id, version: flow.version })) },
    'flows loaded',
  );
  return {
    config,
    logger,
    clock,
    flows,
    catalog,
    translate,
    store,
    conversations: new ConversationService({ flows, store, translate, clock }),
    mode: 'embedded',
    ready: async () => true,
    close: () => store.close(),
  };
}

export { loadContent };
