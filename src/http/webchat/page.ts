import type { PageLabelKey } from './page-labels.js';

/** Text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The /chat page. It is served with its labels filled in (English unless asked otherwise) so
 * it reads sensibly before the script runs; `data-label` lets the script switch language.
 * No inline script or style: the Content-Security-Policy allows only files from this server.
 */
export function renderChatPage(
  labels: Readonly<Record<PageLabelKey, string>>,
  language: string,
): string {
  const label = (key: PageLabelKey): string => `data-label="${key}">${escapeHtml(labels[key])}`;
  return `<!doctype html>
<html lang="${escapeHtml(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(labels.web_title)} - carevoice</title>
<link rel="stylesheet" href="/chat/app.css">
<script type="module" src="/chat/app.js"></script>
</head>
<body>
<main id="main">
  <h1 id="title" ${label('web_title')}</h1>
  <p class="intro" ${label('web_intro')}</p>
  <p id="error" class="error" role="alert" hidden></p>

  <form id="setup" class="setup" novalidate>
    <div class="field">
      <label for="flow" ${label('web_choose_flow')}</label>
      <select id="flow" name="flow"></select>
    </div>
    <div class="field">
      <label for="language" ${label('web_choose_language')}</label>
      <select id="language" name="language"></select>
    </div>
    <div class="field checkbox" id="plain-field">
      <input type="checkbox" id="plain" name="plain">
      <label for="plain" ${label('web_plain_wording')}</label>
    </div>
    <button type="submit" id="start" class="primary" disabled ${label('web_start')}</button>
  </form>

  <section id="chat" class="chat" aria-labelledby="chat-heading" hidden>
    <h2 id="chat-heading" ${label('web_conversation')}</h2>
    <ol id="log" class="log" role="log" aria-live="polite" aria-labelledby="chat-heading"></ol>
    <p id="status" class="status" role="status"></p>
    <form id="reply-form" class="reply-form" novalidate>
      <label for="reply" ${label('web_your_reply')}</label>
      <div class="reply-row">
        <input type="text" id="reply" name="reply" maxlength="2000" autocomplete="off" enterkeyhint="send">
        <button type="submit" id="send" class="primary" ${label('web_send')}</button>
      </div>
    </form>
    <div class="field checkbox">
      <input type="checkbox" id="show-sms" name="show-sms">
      <label for="show-sms" ${label('web_show_sms')}</label>
    </div>
    <button type="button" id="restart" class="secondary" ${label('web_restart')}</button>
  </section>
</main>
</body>
</html>
`;
}
