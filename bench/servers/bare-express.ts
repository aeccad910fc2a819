import express from 'express';

/**
 * The floor carevoice is measured against: Express 5 parsing the same urlencoded webhook and
 * answering a fixed TwiML body, with nothing else (no signature check, no Redis, no logs).
 */
const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you, that is noted.</Message></Response>';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.post('/twilio/messages', express.urlencoded({ extended: false }), (_req, res) => {
  res.type('text/xml').send(TWIML);
});
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});

const server = app.listen(Number(process.env['PORT']), process.env['HOST'] ?? '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
