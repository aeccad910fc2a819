import { ENGLISH_PAGE_LABELS } from './page-labels.js';

/**
 * The script served at /chat/app.js: plain browser JavaScript, no framework and no build
 * step, kept as a string because tsc copies no asset files to dist/. Everything that came
 * from the server or the person is written with textContent, never as HTML.
 */
export const CHAT_CLIENT_SCRIPT = `'use strict';

const BUILT_IN_LABELS = ${JSON.stringify(ENGLISH_PAGE_LABELS)};

const ui = {
  error: byId('error'),
  setup: byId('setup'),
  flow: byId('flow'),
  language: byId('language'),
  plain: byId('plain'),
  plainField: byId('plain-field'),
  start: byId('start'),
  chat: byId('chat'),
  log: byId('log'),
  status: byId('status'),
  replyForm: byId('reply-form'),
  reply: byId('reply'),
  showSms: byId('show-sms'),
  restart: byId('restart'),
};

const state = {
  flows: [],
  labels: {},
  conversationId: undefined,
  status: undefined,
  // The wording the page chrome uses: the form's choice, then the conversation's.
  language: 'en',
  variant: 'standard',
  pending: false,
  messageCount: 0,
};

function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error('the page has no #' + id);
  return node;
}

function labelFor(key) {
  const own = ((state.labels[state.language] || {})[state.variant] || {})[key];
  if (own) return { text: own, lang: state.language };
  const english = ((state.labels.en || {})[state.variant] || {})[key];
  return { text: english || BUILT_IN_LABELS[key] || key, lang: 'en' };
}

/** Fills an element from a label, saying its language: an English fallback on a Welsh page is lang="en". */
function setLabel(node, key) {
  const label = labelFor(key);
  node.dataset.label = key;
  node.textContent = label.text;
  node.lang = label.lang;
}

function applyLabels() {
  document.documentElement.lang = state.language;
  for (const node of document.querySelectorAll('[data-label]')) setLabel(node, node.dataset.label);
  document.title = labelFor('web_title').text + ' - carevoice';
  for (const option of ui.flow.options) {
    const flow = findFlow(option.value);
    if (flow === undefined) continue;
    const own = flow.titles[state.language];
    option.textContent = own || flow.title;
    option.lang = own ? state.language : 'en';
  }
}

function findFlow(id) {
  return state.flows.find((flow) => flow.id === id);
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.textContent = '';
  ui.error.hidden = true;
}

async function callApi(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data && data.error && data.error.message ? data.error.message : 'The server answered ' + response.status + '.';
    throw new Error(message);
  }
  return data;
}

function fillFlows() {
  ui.flow.replaceChildren();
  for (const flow of state.flows) {
    const option = document.createElement('option');
    option.value = flow.id;
    option.textContent = flow.title;
    ui.flow.append(option);
  }
  fillLanguages();
}

function fillLanguages() {
  const flow = findFlow(ui.flow.value);
  const previous = ui.language.value;
  ui.language.replaceChildren();
  if (flow === undefined) return;
  for (const language of flow.languages) {
    const option = document.createElement('option');
    option.value = language.code;
    option.lang = language.code;
    option.textContent = language.name;
    ui.language.append(option);
  }
  const codes = flow.languages.map((language) => language.code);
  ui.language.value = codes.includes(previous) ? previous : codes[0];
  ui.plainField.hidden = !flow.plain;
  if (!flow.plain) ui.plain.checked = false;
}

/** Before a conversation starts, the page speaks the language and wording being chosen. */
function followForm() {
  state.language = ui.language.value || 'en';
  state.variant = ui.plain.checked ? 'plain' : 'standard';
  applyLabels();
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

function speakerLine(key) {
  const who = document.createElement('p');
  who.className = 'who';
  setLabel(who, key);
  return who;
}

function appendPerson(text) {
  const item = document.createElement('li');
  item.className = 'msg person';
  item.lang = state.language;
  const body = document.createElement('p');
  body.className = 'text';
  body.textContent = text;
  item.append(speakerLine('web_you'), body);
  ui.log.append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function appendBot(reply) {
  state.messageCount += 1;
  const item = document.createElement('li');
  item.className = 'msg bot';
  item.lang = state.language;
  const body = document.createElement('p');
  body.className = 'text';
  body.id = 'message-' + state.messageCount;
  body.textContent = reply.text;
  item.append(speakerLine('web_bot'), body);
  if (reply.type === 'question') {
    // Buttons make the SMS hints about numbers redundant; keep the ones that still help.
    if (reply.hint && (reply.multiple || reply.ask === 'scale' || reply.ask === 'number')) {
      const hint = document.createElement('p');
      hint.className = 'hint';
      hint.textContent = reply.hint;
      item.append(hint);
    }
    if (reply.options.length > 0) item.append(optionButtons(reply, body.id));
  }
  const sms = document.createElement('div');
  sms.className = 'sms';
  const smsLabel = document.createElement('p');
  setLabel(smsLabel, 'web_sms_label');
  const smsText = document.createElement('pre');
  smsText.textContent = reply.sms;
  sms.append(smsLabel, smsText);
  item.append(sms);
  ui.log.append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function optionButton(text) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  return button;
}

function optionButtons(reply, questionId) {
  const group = document.createElement('div');
  group.className = 'options';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-labelledby', questionId);
  if (!reply.multiple) {
    for (const option of reply.options) {
      const button = optionButton(option.label);
      button.addEventListener('click', () => send({ choice: { stepId: reply.stepId, values: [option.key] } }, option.label));
      group.append(button);
    }
    return group;
  }
  const chosen = new Set();
  const done = optionButton('');
  done.className = 'done';
  setLabel(done, 'web_done');
  done.setAttribute('aria-disabled', 'true');
  for (const option of reply.options) {
    const button = optionButton(option.label);
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => {
      if (chosen.has(option.key)) chosen.delete(option.key);
      else chosen.add(option.key);
      button.setAttribute('aria-pressed', String(chosen.has(option.key)));
      done.setAttribute('aria-disabled', String(chosen.size === 0));
    });
    group.append(button);
  }
  done.addEventListener('click', () => {
    if (chosen.size === 0) return;
    const picked = reply.options.filter((option) => chosen.has(option.key));
    send({ choice: { stepId: reply.stepId, values: picked.map((option) => option.key) } }, picked.map((option) => option.label).join(', '));
  });
  group.append(done);
  return group;
}

function setOptionsDisabled(disabled) {
  for (const button of ui.log.querySelectorAll('.options button')) button.disabled = disabled;
}

function showStatus(status) {
  state.status = status;
  ui.status.dataset.status = status || '';
  if (status === undefined || status === 'active') {
    delete ui.status.dataset.label;
    ui.status.textContent = '';
  } else {
    setLabel(ui.status, 'web_ended');
  }
}

function afterTurn(data) {
  if (data.language) {
    state.language = data.language;
    ui.log.lang = data.language;
  }
  if (data.variant) state.variant = data.variant;
  if (data.language || data.variant) applyLabels();
  for (const reply of data.replies) appendBot(reply);
  showStatus(data.status);
  if (data.status !== 'active') {
    ui.replyForm.hidden = true;
    ui.restart.focus();
    return;
  }
  // Keep keyboard users where the next answer goes: the new buttons, else the text box.
  const groups = ui.log.querySelectorAll('.options');
  const latest = groups[groups.length - 1];
  const first = latest ? latest.querySelector('button') : null;
  if (first) first.focus();
  else ui.reply.focus();
}

async function startConversation(event) {
  event.preventDefault();
  if (state.pending || !ui.flow.value) return;
  state.pending = true;
  clearError();
  try {
    const data = await callApi('POST', '/chat/api/conversations', {
      flowId: ui.flow.value,
      language: ui.language.value,
      variant: ui.plain.checked ? 'plain' : 'standard',
    });
    state.conversationId = data.conversationId;
    state.language = data.language;
    state.variant = data.variant;
    ui.log.replaceChildren();
    ui.log.lang = data.language;
    ui.replyForm.hidden = false;
    ui.reply.value = '';
    ui.setup.hidden = true;
    ui.chat.hidden = false;
    applyLabels();
    // A live region must be on the page before text is added, or screen readers stay silent.
    await nextFrame();
    afterTurn(data);
  } catch (error) {
    showError(error.message);
  } finally {
    state.pending = false;
  }
}

async function send(body, shownAs) {
  if (state.pending || state.conversationId === undefined || state.status !== 'active') return;
  state.pending = true;
  clearError();
  setOptionsDisabled(true);
  appendPerson(shownAs);
  try {
    // A fresh id per message: if the request is repeated, the server takes it once.
    const message = Object.assign({ messageId: crypto.randomUUID() }, body);
    const data = await callApi('POST', '/chat/api/conversations/' + encodeURIComponent(state.conversationId) + '/messages', message);
    // Answered questions lose their buttons: only the newest question can be answered.
    for (const group of ui.log.querySelectorAll('.options')) group.remove();
    afterTurn(data);
  } catch (error) {
    setOptionsDisabled(false);
    showError(error.message);
  } finally {
    state.pending = false;
  }
}

function sendTyped(event) {
  event.preventDefault();
  const text = ui.reply.value.trim();
  if (text === '') {
    ui.reply.focus();
    return;
  }
  ui.reply.value = '';
  send({ text }, text);
}

function startAgain() {
  state.conversationId = undefined;
  showStatus(undefined);
  clearError();
  ui.log.replaceChildren();
  ui.chat.hidden = true;
  ui.setup.hidden = false;
  followForm();
  ui.flow.focus();
}

async function load() {
  ui.setup.addEventListener('submit', startConversation);
  ui.replyForm.addEventListener('submit', sendTyped);
  ui.restart.addEventListener('click', startAgain);
  ui.flow.addEventListener('change', () => {
    fillLanguages();
    followForm();
  });
  ui.language.addEventListener('change', followForm);
  ui.plain.addEventListener('change', followForm);
  ui.showSms.addEventListener('change', () => ui.log.classList.toggle('show-sms', ui.showSms.checked));
  try {
    const data = await callApi('GET', '/chat/api/flows');
    state.flows = data.flows;
    state.labels = data.labels;
    if (state.flows.length === 0) throw new Error('No flows are loaded. Add a flow file to the flows folder and restart.');
    fillFlows();
    followForm();
    ui.start.disabled = false;
  } catch (error) {
    showError(error.message);
  }
}

load();
`;
