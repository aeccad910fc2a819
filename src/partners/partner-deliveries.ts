import { hostname } from 'node:os';
import { ConfigError, type Config } from '../config.js';
import type { Flow } from '../flow/flow.js';
import type { FlowRegistry } from '../flow/registry.js';
import type { Logger } from '../logger.js';
import type { ResponseOutbox } from '../responses/response-store.js';
import { COORDINATORS_RECEIVER, coordinatorsTarget } from '../safeguarding/webhook-sink.js';
import type { PartnerTarget } from './delivery.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { createDeliveryHandler, type RetrySchedule, type TargetLookup } from './delivery-worker.js';
import { createFileSink } from './file-sink.js';
import { HeldDeliveries } from './held-deliveries.js';
import { createWebhookSender } from './http-partner-client.js';
import { createPartnerClient } from './partner-client.js';
import type { PartnerState } from './partner-state.js';
import { partnerTargetProblems, partnerTargets, type SecretSource } from './partner-targets.js';
import { DeliveryRelay } from './relay.js';

/** The running delivery side: what coordinators act on, the counts for /metrics, and shutdown. */
export interface PartnerDeliveries {
  readonly held: HeldDeliveries;
  readonly state: PartnerState;
  /** Stops the relay, then lets attempts in flight finish (bounded). */
  close(): Promise<void>;
}

export interface PartnerDeliveryParts {
  readonly config: Config;
  readonly flows: FlowRegistry;
  readonly outbox: ResponseOutbox;
  readonly state: PartnerState;
  readonly queue: DeliveryQueue;
  readonly secrets: SecretSource;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** A message for coordinators (Slack) when deliveries stop; never throws. */
  readonly alert?: ((text: string) => Promise<void>) | undefined;
  readonly schedule?: RetrySchedule | undefined;
}

/**
 * Partners whose deliveries cannot be made from here as set up (a secret not set, or not a
 * usable `whsec_` secret). In production carevoice refuses to start: better no consultation
 * than one whose responses pile up unsent. Elsewhere it starts, says so loudly, and parks
 * those deliveries where coordinators see them, to be replayed once the secret is set: a
 * response is never lost, and trying a flow needs no partner secrets.
 */
export function checkPartnerSecrets(
  config: Config,
  flows: readonly Flow[],
  secrets: SecretSource,
  logger: Logger,
): void {
  const problems = partnerTargetProblems(flows, secrets);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `flow ${p.flowId}, partner ${p.partnerId}: ${p.message}`);
  if (config.env === 'production') throw new ConfigError(lines);
  for (const line of lines) {
    logger.warn(
      { code: 'partner_not_configured' },
      `${line}; its deliveries are parked until it is set and they are replayed`,
    );
  }
}

/** Starts the relay and the delivery worker of this process. */
export function startPartnerDeliveries(parts: PartnerDeliveryParts): PartnerDeliveries {
  const { config, flows, outbox, state, queue, clock, logger } = parts;
  const client = createPartnerClient({
    webhook: createWebhookSender({ httpHosts: config.partnerHttpHosts, logger, clock }),
    file: createFileSink({ directory: config.partnerFilesDir, logger }),
    logger,
  });
  queue.start(
    createDeliveryHandler({
      client,
      targets: withCoordinators(
        partnerTargets(flows, parts.secrets),
        coordinatorsTarget(config.safeguarding.alertWebhook),
      ),
      state,
      clock,
      logger,
      ...(parts.schedule === undefined ? {} : { schedule: parts.schedule }),
      onHeld: (held) => {
        const { flowId, partnerId } = held.delivery;
        void parts.alert?.(
          held.kind === 'dead_lettered'
            ? `Deliveries to partner ${partnerId} of ${flowId} are failing (${held.reason}); see carevoice deliveries.`
            : `Deliveries to partner ${partnerId} of ${flowId} are parked (${held.reason}); see carevoice deliveries.`,
        );
      },
    }),
  );
  const relay = new DeliveryRelay({
    outbox,
    flows,
    queue,
    // Stable across a container's restarts (its hostname), so the outbox's consumers do not pile up.
    consumer: `${hostname()}-${process.pid}`,
    logger,
  });
  relay.start();
  return {
    held: new HeldDeliveries(state, queue),
    state,
    close: async () => {
      await relay.close();
      await queue.close();
    },
  };
}

/** Partners of flows, and the coordinators' alert webhook (concerns go through the same queue). */
export function withCoordinators(
  partners: TargetLookup,
  coordinators: PartnerTarget | undefined,
): TargetLookup {
  return (flowId, partnerId) =>
    partnerId === COORDINATORS_RECEIVER ? coordinators : partners(flowId, partnerId);
}
