import express from 'express';
import type { Runtime } from '../../runtime.js';
import { createWebChatApi } from './api.js';
import { CHAT_CLIENT_SCRIPT } from './client.js';
import { renderChatPage } from './page.js';
import { ENGLISH_PAGE_LABELS, pageLabels } from './page-labels.js';
import { CHAT_STYLES } from './styles.js';

/**
 * The local web chat: a page at /chat to try any loaded flow in a browser, with no Twilio or
 * Slack account. Routes carry their full paths so the request log names them exactly.
 */
export function createWebChatRouter(runtime: Runtime): express.Router {
  const router = express.Router();
  // Built once: the catalog is loaded at start and does not change while the process runs.
  const page = renderChatPage(
    { ...ENGLISH_PAGE_LABELS, ...pageLabels(runtime, 'en', 'standard') },
    'en',
  );

  router.get('/chat', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('html').send(page);
  });
  router.get('/chat/app.js', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/javascript').send(CHAT_CLIENT_SCRIPT);
  });
  router.get('/chat/app.css', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/css').send(CHAT_STYLES);
  });
  router.use('/chat/api', (_req, res, next) => {
    // Replies can hold what someone typed; no cache should keep them.
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(createWebChatApi(runtime));
  return router;
}
