import type { Flow } from '../flow/flow.js';
import type { PartnerDef } from '../flow/schema.js';
import type { PartnerTarget } from './delivery.js';
import type { TargetLookup } from './delivery-worker.js';
import { webhookSecretProblem } from './signature.js';

/** The environment partner secrets are read from: a flow names the variable (`secret_env`). */
export type SecretSource = Readonly<Record<string, string | undefined>>;

/** A partner deliveries cannot reach from this server as it is set up. */
export interface PartnerTargetProblem {
  readonly flowId: string;
  readonly partnerId: string;
  /** What is wrong and how to fix it, naming the variable, never its value. */
  readonly message: string;
}

type Resolved = { readonly target: PartnerTarget } | { readonly problem: string };

/**
 * Where a partner takes deliveries, from the live version of its flow (so a corrected URL
 * applies to retries too) and the environment (the signing secret).
 */
export function partnerTargets(
  flows: { get(id: string): Flow | undefined },
  secrets: SecretSource,
): TargetLookup {
  return (flowId, partnerId) => {
    const partner = flows.get(flowId)?.partners.find((p) => p.id === partnerId);
    if (partner === undefined) return undefined;
    const resolved = resolve(partner, secrets);
    return 'target' in resolved ? resolved.target : undefined;
  };
}

/** Every partner of these flows that could not be delivered to, for the checks at start. */
export function partnerTargetProblems(
  flows: readonly Flow[],
  secrets: SecretSource,
): PartnerTargetProblem[] {
  return flows.flatMap((flow) =>
    flow.partners.flatMap((partner) => {
      const resolved = resolve(partner, secrets);
      return 'problem' in resolved
        ? [{ flowId: flow.id, partnerId: partner.id, message: resolved.problem }]
        : [];
    }),
  );
}

function resolve(partner: PartnerDef, secrets: SecretSource): Resolved {
  if (partner.file !== undefined) return { target: { kind: 'file', path: partner.file } };
  if (partner.webhook === undefined || partner.secret_env === undefined) {
    // Flow validation refuses both; a flow published by an older release might still lack them.
    return { problem: 'has no webhook with a secret_env, and no file' };
  }
  const secret = secrets[partner.secret_env]?.trim();
  if (secret === undefined || secret === '') {
    return {
      problem: `${partner.secret_env} is not set: set it to the partner's whsec_ signing secret`,
    };
  }
  const wrong = webhookSecretProblem(secret);
  if (wrong !== undefined) return { problem: `${partner.secret_env}: ${wrong}` };
  return { target: { kind: 'webhook', url: partner.webhook, secret } };
}
