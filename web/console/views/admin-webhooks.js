// @ts-check
// Admin → Webhooks: endpoints that get signed HTTP POSTs of chat events (docs/WEBHOOKS.md).
// Add one (its signing secret is shown this once), test it, see its delivery log,
// disable or enable it, delete it.

import { api, ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError, missingNotice, copyText, loadList } from './forms.js';
import { deliveryLog } from './webhook-log.js';

/** Every event an endpoint can receive, with what it means. */
export const EVENTS = [
  ['conversation.created', 'A visitor starts a conversation'],
  ['message.visitor', 'A visitor writes'],
  ['message.agent', 'An agent answers'],
  ['message.bot', 'The FAQ bot answers'],
  ['conversation.handed_off', 'The bot hands over to the team'],
  ['conversation.assigned', 'An agent takes a conversation'],
  ['conversation.closed', 'A conversation is closed'],
  ['visitor.email_left', 'A visitor leaves an email address'],
];

function secretBox(endpoint) {
  const copy = h('button', { class: 'btn btn-primary', type: 'button' }, 'Copy');
  copy.addEventListener('click', () => copyText(endpoint.secret, copy).catch(() => toast('Could not copy. Select the text and copy it by hand.', 'error')));
  return h('div', { class: 'webhook-secret', role: 'status' },
    h('strong', null, 'Signing secret for ', endpoint.url),
    h('p', null, 'Copy it now and keep it with your receiving code: it is shown only this once. Your receiver checks the webhook-signature header with it.'),
    h('div', { class: 'snippet' }, h('pre', null, h('code', null, endpoint.secret)), copy));
}

function statusLine(w) {
  if (w.disabled) return h('span', { class: 'chip chip-wait' }, `Disabled: ${w.disabled_reason || 'by an admin'}`);
  if (w.failing_since) return h('span', { class: 'chip chip-wait' }, `Failing since ${new Date(w.failing_since).toLocaleString()}`);
  return h('span', { class: 'chip chip-mine' }, 'Active');
}

export function webhooksPage() {
  let items = [];
  let missing = false;
  const logs = new Map();
  const list = h('div', { class: 'canned-list' });
  const shown = h('div');
  const url = h('input', { type: 'url', maxlength: 2048, placeholder: 'https://crm.example.com/hooks/deskbell', autocomplete: 'off', spellcheck: 'false' });
  const description = h('input', { maxlength: 200, placeholder: 'CRM', autocomplete: 'off' });
  const boxes = EVENTS.map(([name, label]) => ({ name, input: h('input', { type: 'checkbox', value: name, checked: name === 'message.visitor' || name === 'conversation.created' }), label }));
  const events = h('div', { class: 'webhook-events' }, boxes.map((b) => h('label', { class: 'check' }, b.input, h('span', null, b.label, ' ', h('code', { class: 'muted small' }, b.name)))));
  const error = errorLine();
  const add = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add endpoint');
  const form = h('form', { class: 'form', novalidate: true },
    field('URL', url, 'Where deskbell POSTs events. https:// recommended.'),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'Events'), events),
    field('Description', description, 'Optional: what this endpoint is for.'),
    h('div', { class: 'form-actions' }, error, add));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = boxes.filter((b) => b.input.checked).map((b) => b.name);
    const problem = !/^https?:\/\/\S+$/i.test(url.value.trim()) ? 'Enter a URL starting with https:// or http://.'
      : !chosen.length ? 'Choose at least one event.' : '';
    setError(error, problem);
    if (problem) return;
    add.disabled = true;
    try {
      const created = await api.post('/api/webhooks', { url: url.value.trim(), events: chosen, description: description.value.trim() });
      fill(shown, secretBox(created));
      delete created.secret;
      items.push(created);
      form.reset();
      boxes.forEach((b) => { b.input.checked = b.name === 'message.visitor' || b.name === 'conversation.created'; });
      render();
    } catch (err) {
      setError(error, err instanceof ApiError && err.missing ? 'This server cannot send webhooks yet.' : err.message);
    }
    add.disabled = false;
  });

  async function act(what, run) {
    try {
      await run();
    } catch (e) {
      toast(`${what}: ${e.message}`, 'error');
    }
    render();
  }

  function row(w) {
    const result = h('span', { class: 'small webhook-result', role: 'status' });
    const test = h('button', { class: 'btn btn-small btn-ghost', type: 'button' }, 'Test');
    test.addEventListener('click', async () => {
      test.disabled = true;
      fill(result, 'Sending…');
      try {
        const r = await api.post(`/api/webhooks/${w.id}/test`);
        fill(result, r.ok ? `OK: HTTP ${r.status} in ${r.latency_ms} ms` : `Failed: ${r.error}`);
        result.className = `small webhook-result ${r.ok ? 'ok' : 'form-error'}`;
        const log = logs.get(w.id);
        if (log) log.reload();
      } catch (e) {
        fill(result, e.message);
        result.className = 'small webhook-result form-error';
      }
      test.disabled = false;
    });
    const toggle = h('button', { class: 'btn btn-small btn-ghost', type: 'button' }, w.disabled ? 'Enable' : 'Disable');
    toggle.addEventListener('click', () => act('Could not change it', async () => {
      Object.assign(w, await api.patch(`/api/webhooks/${w.id}`, { disabled: !w.disabled }));
    }));
    const remove = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button' }, 'Delete');
    remove.addEventListener('click', () => {
      if (!confirm(`Delete the endpoint ${w.url}? Deliveries still waiting for it are dropped.`)) return;
      act('Could not delete it', async () => {
        await api.del(`/api/webhooks/${w.id}`);
        items = items.filter((x) => x.id !== w.id);
        logs.delete(w.id);
      });
    });
    const logButton = h('button', { class: 'btn btn-small btn-ghost', type: 'button', 'aria-expanded': logs.has(w.id) ? 'true' : 'false' }, 'Deliveries');
    logButton.addEventListener('click', () => {
      if (logs.has(w.id)) logs.delete(w.id); else logs.set(w.id, deliveryLog(w.id));
      render();
    });
    const log = logs.get(w.id);
    return h('div', { class: 'canned-row webhook-row' },
      h('div', { class: 'canned-text' },
        h('strong', { class: 'webhook-url' }, w.url),
        w.description ? h('p', null, w.description) : null,
        h('div', { class: 'webhook-chips' }, statusLine(w), w.events.map((e) => h('span', { class: 'chip' }, e))),
        result,
        log ? log.el : null),
      h('div', { class: 'canned-actions' }, test, logButton, toggle, remove));
  }

  function render() {
    if (missing) { fill(list, missingNotice('Webhooks')); return; }
    if (!items.length) { fill(list, h('p', { class: 'muted' }, 'No webhook endpoints yet.')); return; }
    fill(list, items.map(row));
  }

  loadList(list, '/api/webhooks', (got) => { items = got; render(); }, (m) => { missing = m; render(); });

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, 'Webhooks'),
      h('p', { class: 'muted' }, 'Tell your own systems what happens in the chat. Each event is sent as a signed JSON POST (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature), retried for about a day if your server does not answer 2xx.'),
      shown, list, h('h2', null, 'New endpoint'), form),
    update() {},
  };
}
