import express, { type Router } from 'express';
import { COUNTED_STATUSES, type MessageStatusLog, type StatusCounts } from './message-status.js';

/** The Prometheus text format, version 0.0.4: what every scraper reads. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Outbound messages by their current status, in the Prometheus text format. Every status is
 * written, zeros included, so a series never vanishes and rate() and alerts stay simple.
 */
export function renderMetrics(counts: StatusCounts): string {
  const lines = [
    '# HELP carevoice_sms_messages Outbound SMS and WhatsApp messages by their latest Twilio status (rejected: refused by Twilio when sent).',
    '# TYPE carevoice_sms_messages gauge',
    ...COUNTED_STATUSES.map(
      (status) => `carevoice_sms_messages{status="${status}"} ${counts[status]}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `GET /metrics`. Counts only: no participant or message appears in it (flow and partner ids
 * do, in `sections`). It is not authenticated; expose it to the scraper's network, not the
 * internet.
 */
export function createMetricsRouter(
  statusLog: MessageStatusLog,
  /** More metrics in the same format, written after the message counts. */
  sections: readonly (() => Promise<string>)[] = [],
): Router {
  const router = express.Router();
  router.get('/metrics', async (_req, res) => {
    let counts: StatusCounts;
    let more: string[];
    try {
      [counts, more] = await Promise.all([
        statusLog.counts(),
        Promise.all(sections.map((section) => section())),
      ]);
    } catch {
      // The scrape fails visibly (Prometheus marks the target down) rather than showing zeros.
      res.status(503).type('text/plain').send('Message counts are unavailable.');
      return;
    }
    res
      .set('Cache-Control', 'no-store')
      .type(CONTENT_TYPE)
      .send(renderMetrics(counts) + more.join(''));
  });
  return router;
}
