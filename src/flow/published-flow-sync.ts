import { Redis } from 'ioredis';
import type { TextCatalog } from '../i18n/catalog.js';
import type { Logger } from '../logger.js';
import { LiveFlows } from './live-flows.js';
import { formatProblem, type FlowProblem } from './problems.js';
import { PublishedFlows } from './published-flows.js';
import type { FlowRegistry } from './registry.js';
import { loadRelease, type FlowRelease } from './release.js';

export interface PublishedFlowSyncOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly flows: FlowRegistry;
  readonly catalog: TextCatalog;
  readonly localesDir: string;
  /** The flows read from FLOWS_DIR at start: each is published unless Redis holds it already. */
  readonly fileReleases: readonly FlowRelease[];
  readonly logger: Logger;
}

/**
 * Keeps this process's flows in step with the versions published in Redis. A dedicated
 * subscriber connection hears each publish and every (re)connection; either way the whole
 * store is read again and each version not seen before is validated here and put in service.
 * Reading everything rather than trusting one announcement means nothing is missed while a
 * connection was down, and versions arriving out of order still leave the latest one live.
 */
export class PublishedFlowSync {
  private readonly live: LiveFlows;
  /** `id@version` → digest and publish time of what was last applied (or refused) here. */
  private readonly applied = new Map<string, string>();
  private filesPublished = false;
  private running: Promise<void> | undefined;
  private again = false;

  private constructor(
    private readonly options: PublishedFlowSyncOptions,
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly store: PublishedFlows,
  ) {
    this.live = new LiveFlows(options);
  }

  /** Connects, subscribes and reads the store once; Redis being down is logged, not thrown. */
  static async start(options: PublishedFlowSyncOptions): Promise<PublishedFlowSync> {
    const connection = {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    } as const;
    const client = new Redis(options.redisUrl, connection);
    const subscriber = new Redis(options.redisUrl, connection);
    const sync = new PublishedFlowSync(
      options,
      client,
      subscriber,
      new PublishedFlows(client, options.prefix),
    );
    for (const redis of [client, subscriber]) {
      redis.on('error', (error: Error) =>
        options.logger.warn({ err: error.message }, 'flow updates: redis connection trouble'),
      );
    }
    subscriber.on('message', () => void sync.request());
    const connected = await Promise.all([client.connect(), subscriber.connect()]).then(
      () => true,
      (error: unknown) => {
        options.logger.error(
          { err: String(error) },
          'flow updates: redis unreachable at start; serving the flow files until it answers',
        );
        return false;
      },
    );
    if (connected) await sync.subscribeAndRead();
    // From now on each (re)connection reads the store again: announcements may have been missed.
    for (const redis of [client, subscriber]) redis.on('ready', () => void sync.subscribeAndRead());
    return sync;
  }

  async close(): Promise<void> {
    await this.running;
    await Promise.all(
      [this.subscriber, this.client].map((redis) => redis.quit().catch(() => redis.disconnect())),
    );
  }

  private async subscribeAndRead(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.store.channel);
    } catch (error) {
      this.options.logger.warn({ err: String(error) }, 'flow updates: cannot subscribe');
    }
    await this.request();
  }

  /** Runs a sync, or one more after the one under way; resolves when the store has been read. */
  private request(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.sync();
        } catch (error) {
          this.options.logger.warn({ err: String(error) }, 'flow updates: store not read');
        }
      } while (this.again);
      this.running = undefined;
    })();
    return this.running;
  }

  private async sync(): Promise<void> {
    const { flows, logger } = this.options;
    if (!this.filesPublished) {
      for (const release of this.options.fileReleases) {
        const result = await this.store.publish(release, 'if_new');
        if (result.outcome === 'published')
          logger.info(
            { flowId: release.id, version: release.version, file: release.file },
            'flow file published at start',
          );
      }
      this.filesPublished = true;
    }
    const { versions, problems } = await this.store.read();
    const before = new Map(flows.list().map((flow) => [flow.id, flow.version]));
    this.report(problems.filter((problem) => this.firstTime(problem.file, 'unreadable')));
    for (const { release, publishedAt } of versions) {
      const mark = `${release.digest}@${publishedAt}`;
      if (!this.firstTime(`${release.id}@${release.version}`, mark)) continue;
      const loaded = loadRelease(release, this.options);
      const refused = loaded.ok ? this.live.put(loaded.flow, release.texts, publishedAt) : [];
      this.report(loaded.ok ? refused : loaded.problems);
    }
    for (const flow of flows.list()) {
      const previous = before.get(flow.id);
      if (previous !== flow.version)
        logger.info({ flowId: flow.id, version: flow.version, previous }, 'flow version live');
    }
  }

  /** True the first time `key` is seen with `mark`; remembers it. */
  private firstTime(key: string, mark: string): boolean {
    if (this.applied.get(key) === mark) return false;
    this.applied.set(key, mark);
    return true;
  }

  private report(problems: readonly FlowProblem[]): void {
    if (problems.length === 0) return;
    this.options.logger.warn(
      { code: 'flow_release_refused', problems: problems.map(formatProblem) },
      'published flow version not taken here; the live version stays',
    );
  }
}
