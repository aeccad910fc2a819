/**
 * The stylesheet served at /chat/app.css. A string, because tsc copies no asset files to
 * dist/. Colours pass WCAG AA on white; who said what is shown by a name and by shape, never
 * by colour alone; every control gets a thick focus ring; nothing needs more than 320px.
 */
export const CHAT_STYLES = `
:root {
  color-scheme: light;
  --text: #0b0c0c;
  --muted: #484949;
  --accent: #1d4f91;
  --accent-dark: #0f2f5c;
  --bot: #f3f2f1;
  --person: #e6eef8;
  --error: #a4120e;
  --focus: #ffdd00;
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  font-size: 1.125rem;
  line-height: 1.5;
  color: var(--text);
  background: #fff;
}
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0.5rem 0 0.75rem; }
h2 { font-size: 1.375rem; margin: 1rem 0 0.5rem; }
.intro { color: var(--muted); margin: 0 0 1.25rem; }
[hidden] { display: none !important; }

.field { margin: 0 0 1rem; }
.field > label { display: block; font-weight: 700; margin-bottom: 0.25rem; }
.checkbox { display: flex; align-items: flex-start; gap: 0.5rem; }
.checkbox > label { font-weight: 400; margin: 0; }
.checkbox input { width: 1.5rem; height: 1.5rem; margin: 0.125rem 0 0; flex: none; accent-color: var(--accent); }

select, input[type="text"] {
  width: 100%;
  min-height: 2.75rem;
  padding: 0.375rem 0.5rem;
  font: inherit;
  color: var(--text);
  background: #fff;
  border: 2px solid var(--text);
  border-radius: 0;
}

button {
  font: inherit;
  min-height: 2.75rem;
  padding: 0.375rem 1rem;
  border: 2px solid var(--accent);
  border-radius: 0.25rem;
  cursor: pointer;
}
button.primary { background: var(--accent); color: #fff; font-weight: 700; }
button.primary:hover { background: var(--accent-dark); border-color: var(--accent-dark); }
button.secondary, .options button { background: #fff; color: var(--accent); }
button.secondary:hover, .options button:hover { background: var(--person); }
button:disabled, button[aria-disabled="true"] { opacity: 0.6; cursor: not-allowed; }

:focus-visible {
  outline: 3px solid var(--text);
  outline-offset: 2px;
  box-shadow: 0 0 0 6px var(--focus);
}

.error { border-left: 5px solid var(--error); padding: 0.5rem 0.75rem; color: var(--error); font-weight: 700; }

.log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.75rem; }
.msg { padding: 0.5rem 0.75rem; max-width: 90%; overflow-wrap: anywhere; }
.msg .who { margin: 0; font-size: 0.875rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; }
.msg .text { margin: 0.25rem 0 0; white-space: pre-line; }
.msg .hint { margin: 0.25rem 0 0; color: var(--muted); }
.msg.bot { align-self: flex-start; background: var(--bot); border-left: 6px solid var(--accent); border-radius: 0 0.5rem 0.5rem 0; }
.msg.person { align-self: flex-end; background: var(--person); border-right: 6px solid var(--text); border-radius: 0.5rem 0 0 0.5rem; text-align: right; }

.options { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.5rem; }
.options button { text-align: left; }
.options button[aria-pressed="true"] { background: var(--accent); color: #fff; }
/* A box, ticked when pressed: not colour alone. Empty alt text: aria-pressed already says it. */
.options button[aria-pressed]::before { content: "\\2610\\00a0"; content: "\\2610\\00a0" / ""; }
.options button[aria-pressed="true"]::before { content: "\\2611\\00a0"; content: "\\2611\\00a0" / ""; }
.options button.done { background: var(--accent); color: #fff; font-weight: 700; }

.sms { display: none; margin-top: 0.5rem; border-top: 1px dashed var(--muted); padding-top: 0.25rem; }
.show-sms .sms { display: block; }
.sms p { margin: 0; font-size: 0.875rem; color: var(--muted); }
.sms pre { margin: 0.25rem 0 0; white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9375rem; }

.status { font-weight: 700; min-height: 1.5rem; margin: 0.75rem 0; }
.reply-form { margin: 0.5rem 0 1rem; }
.reply-form > label { display: block; font-weight: 700; margin-bottom: 0.25rem; }
.reply-row { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.reply-row input { flex: 1 1 12rem; width: auto; }

@media (max-width: 30rem) {
  body { font-size: 1rem; }
  main { padding: 0.75rem; }
  .msg { max-width: 100%; }
  .options button { flex: 1 1 100%; }
}
`;
