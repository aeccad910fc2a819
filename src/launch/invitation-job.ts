import { z } from 'zod';
import type { Variant } from '../flow/flow.js';
import type { ParticipantKey } from '../store/session-store.js';

/**
 * One invitation waiting to be sent. Its data is what the sender needs and no more: the
 * address has to be there to reach the person; the id and logs use the person ref instead.
 */
export interface InvitationJob {
  /** `invite.<flow>.<ref>`: one job per person per flow, whatever the launch. */
  readonly id: string;
  readonly launchId: string;
  readonly flowId: string;
  /** The person ref: the same person on SMS and WhatsApp has one. */
  readonly ref: string;
  readonly key: ParticipantKey & { readonly channel: InvitationChannel };
  readonly language: string | undefined;
  readonly variant: Variant;
  readonly role: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  /** Planned send time (epoch ms); the sender's pace decides the exact one. */
  readonly runAt: number;
}

export const INVITATION_CHANNELS = ['sms', 'whatsapp', 'slack'] as const;
export type InvitationChannel = (typeof INVITATION_CHANNELS)[number];

export function invitationJobId(flowId: string, ref: string): string {
  return `invite.${flowId}.${ref}`;
}

const jobSchema = z.object({
  id: z.string().min(1),
  launchId: z.string().min(1),
  flowId: z.string().min(1),
  ref: z.string().min(1),
  key: z.object({ channel: z.enum(INVITATION_CHANNELS), address: z.string().min(1) }),
  language: z.string().optional(),
  variant: z.enum(['standard', 'plain']),
  role: z.string().optional(),
  params: z.record(z.string(), z.string()),
  runAt: z.number(),
});

/** Job data comes back from Redis, possibly written by an older release: check it. */
export function parseInvitationJob(data: unknown): InvitationJob | undefined {
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const { language, role, ...rest } = parsed.data;
  return { ...rest, language, role };
}
