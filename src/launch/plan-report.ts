import type { LaunchPlan, SkipReason, SkippedRow } from './plan.js';

export interface Pricing {
  readonly pricePerSegment: number;
  readonly currency: string;
}

const SKIP_WORDS: Readonly<Record<SkipReason, string>> = {
  opted_out: 'opted out (sent STOP)',
  already_invited: 'already invited to this flow',
  contacted: 'invited by another flow within the contact cap',
};

/** What a launch would do, for a person to read before saying yes. */
export function formatLaunchPlan(plan: LaunchPlan, pricing: Pricing): string {
  const { flow } = plan;
  const lines = [
    `Launch ${plan.launchId} of ${flow.id} (${flow.title})`,
    `  ${plan.rows} rows: ${plan.invitations.length} to invite, ${plan.rejected.length} rejected, ${plan.skipped.length} skipped`,
    '',
    'Invitations',
    ...invitationCounts(plan),
  ];
  if (plan.rejected.length > 0) {
    lines.push('', `Rejected (${plan.rejected.length}): fix these rows and run again`);
    for (const row of plan.rejected) lines.push(`  line ${row.line}: ${row.reason}`);
  }
  if (plan.skipped.length > 0) {
    lines.push('', `Skipped (${plan.skipped.length})`);
    for (const reason of Object.keys(SKIP_WORDS) as SkipReason[]) {
      const rows = plan.skipped.filter((row) => row.reason === reason);
      if (rows.length > 0)
        lines.push(
          `  ${SKIP_WORDS[reason]}${capNote(plan, reason)}: ${rows.length}, lines ${lineList(rows, flow.timezone)}`,
        );
    }
  }
  lines.push(
    '',
    'Cost of the opening messages (replies and reminders come on top; see carevoice lint)',
  );
  lines.push(...costLines(plan, pricing));
  lines.push('', 'Send window', ...windowLines(plan));
  return `${lines.join('\n')}\n`;
}

function invitationCounts(plan: LaunchPlan): string[] {
  if (plan.invitations.length === 0) return ['  none'];
  const counts = new Map<string, Map<string, number>>();
  for (const { job } of plan.invitations) {
    const language = job.language ?? plan.flow.languages[0] ?? '';
    const group = `${language}${job.variant === 'plain' ? ' plain' : ''}`;
    const byGroup = counts.get(job.key.channel) ?? new Map<string, number>();
    byGroup.set(group, (byGroup.get(group) ?? 0) + 1);
    counts.set(job.key.channel, byGroup);
  }
  return [...counts].map(([channel, byGroup]) => {
    const total = [...byGroup.values()].reduce((sum, n) => sum + n, 0);
    const parts = [...byGroup].map(([group, n]) => `${group} ${n}`).join(', ');
    return `  ${channel.padEnd(9)} ${String(total).padStart(5)}  (${parts})`;
  });
}

function capNote(plan: LaunchPlan, reason: SkipReason): string {
  return reason === 'contacted' ? ` (${plan.capDays} days)` : '';
}

function lineList(rows: readonly SkippedRow[], timeZone: string): string {
  return rows
    .map((row) =>
      row.contact === undefined
        ? String(row.line)
        : `${row.line} (${row.contact.flowId}, ${formatTime(row.contact.at, timeZone)})`,
    )
    .join(', ');
}

function costLines(plan: LaunchPlan, pricing: Pricing): string[] {
  const lines: string[] = [];
  const sms = plan.invitations.filter(({ job }) => job.key.channel === 'sms');
  if (sms.length > 0) {
    const texts = sms.reduce((sum, entry) => sum + entry.costs.length, 0);
    const segments = sms.reduce((sum, entry) => sum + entry.costs.reduce((a, b) => a + b, 0), 0);
    const cost = (segments * pricing.pricePerSegment).toFixed(2);
    lines.push(
      `  SMS: ${count(sms.length, 'invitation')}, ${count(texts, 'text')}, ${count(segments, 'segment')} x ${pricing.pricePerSegment} ${pricing.currency} = ${cost} ${pricing.currency}`,
      '    (prices vary by country and carrier: pass --price-per-segment and --currency from your Twilio price list)',
    );
  }
  for (const channel of ['whatsapp', 'slack'] as const) {
    const group = plan.invitations.filter(({ job }) => job.key.channel === channel);
    if (group.length === 0) continue;
    const messages = group.reduce((sum, entry) => sum + entry.costs.length, 0);
    const note =
      channel === 'whatsapp'
        ? ' (priced per conversation by WhatsApp; not estimated)'
        : ' (no charge)';
    lines.push(
      `  ${channel === 'whatsapp' ? 'WhatsApp' : 'Slack'}: ${count(group.length, 'invitation')}, ${count(messages, 'message')}${note}`,
    );
  }
  return lines.length > 0 ? lines : ['  nothing to send'];
}

function windowLines(plan: LaunchPlan): string[] {
  const { flow } = plan;
  const quiet =
    flow.quietHours === undefined
      ? 'no quiet hours'
      : `quiet hours ${flow.quietHours.from}-${flow.quietHours.to}`;
  const lines = [
    `  ${quiet} (${flow.timezone}); ${count(plan.ratePerSecond, 'message')} a second per sender (LAUNCH_RATE_PER_SECOND; an SMS counts each segment)`,
  ];
  for (const window of plan.windows) {
    const from = `  ${window.channel.padEnd(9)} from ${formatTime(window.first, flow.timezone)}`;
    lines.push(
      window.last - window.first < 60_000
        ? `${from}, within a minute`
        : `${from} to about ${formatTime(window.last, flow.timezone)}`,
    );
  }
  return lines;
}

function formatTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
