// @ts-check
// Admin → Webhooks: endpoints that get signed HTTP POSTs of chat events (docs/WEBHOOKS.md).
// Add one (its signing secret is shown this once), test it, see its delivery log,
// disable or enable it, delete it.

import { api, ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError, missingNotice, copyText, loadList } from './forms.js';
import { deliveryLog } from './webhook-log.js';
import { t, language } from '../i18n.js';

/** Every event an endpoint can receive (what each means: `webhooks.event.NAME`). */
export const EVENTS = ['conversation.created', 'message.visitor', 'message.agent', 'message.bot',
  'conversation.handed_off', 'conversation.assigned', 'conversation.closed', 'visitor.email_left'];

function secretBox(endpoint) {
  const copy = h('button', { class: 'btn btn-primary', type: 'button' }, t('common.copy'));
  copy.addEventListener('click', () => copyText(endpoint.secret, copy).catch(() => toast(t('admin.copyFailed'), 'error')));
  return h('div', { class: 'webhook-secret', role: 'status' },
    h('strong', null, t('webhooks.secretFor', { url: endpoint.url })),
    h('p', null, t('webhooks.secretHint')),
    h('div', { class: 'snippet' }, h('pre', null, h('code', null, endpoint.secret)), copy));
}

function statusLine(w) {
  if (w.disabled) return h('span', { class: 'chip chip-wait' }, t('webhooks.disabled', { why: w.disabled_reason || t('webhooks.byAdmin') }));
  if (w.failing_since) return h('span', { class: 'chip chip-wait' }, t('webhooks.failingSince', { when: new Date(w.failing_since).toLocaleString(language()) }));
  return h('span', { class: 'chip chip-mine' }, t('webhooks.active'));
}

export function webhooksPage() {
  let items = [];
  let missing = false;
  const logs = new Map();
  const list = h('div', { class: 'canned-list' });
  const shown = h('div');
  const url = h('input', { type: 'url', maxlength: 2048, placeholder: 'https://crm.example.com/hooks/deskbell', autocomplete: 'off', spellcheck: 'false' });
  const description = h('input', { maxlength: 200, placeholder: 'CRM', autocomplete: 'off' });
  const boxes = EVENTS.map((name) => ({ name, input: h('input', { type: 'checkbox', value: name, checked: name === 'message.visitor' || name === 'conversation.created' }), label: t(`webhooks.event.${name}`) }));
  const events = h('div', { class: 'webhook-events' }, boxes.map((b) => h('label', { class: 'check' }, b.input, h('span', null, b.label, ' ', h('code', { class: 'muted small' }, b.name)))));
  const error = errorLine();
  const add = h('button', { class: 'btn btn-primary', type: 'submit' }, t('webhooks.add'));
  const form = h('form', { class: 'form', novalidate: true },
    field(t('webhooks.url'), url, t('webhooks.urlHint')),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, t('webhooks.events')), events),
    field(t('webhooks.description'), description, t('webhooks.descriptionHint')),
    h('div', { class: 'form-actions' }, error, add));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = boxes.filter((b) => b.input.checked).map((b) => b.name);
    const problem = !/^https?:\/\/\S+$/i.test(url.value.trim()) ? t('webhooks.badUrl')
      : !chosen.length ? t('webhooks.noEvents') : '';
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
      setError(error, err instanceof ApiError && err.missing ? t('webhooks.cannotSend') : err.message);
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
    const test = h('button', { class: 'btn btn-small btn-ghost', type: 'button' }, t('webhooks.test'));
    test.addEventListener('click', async () => {
      test.disabled = true;
      fill(result, t('messages.sending'));
      try {
        const r = await api.post(`/api/webhooks/${w.id}/test`);
        fill(result, r.ok ? t('webhooks.testOk', { status: r.status, ms: r.latency_ms }) : t('webhooks.testFailed', { why: r.error }));
        result.className = `small webhook-result ${r.ok ? 'ok' : 'form-error'}`;
        const log = logs.get(w.id);
        if (log) log.reload();
      } catch (e) {
        fill(result, e.message);
        result.className = 'small webhook-result form-error';
      }
      test.disabled = false;
    });
    const toggle = h('button', { class: 'btn btn-small btn-ghost', type: 'button' }, w.disabled ? t('common.enable') : t('common.disable'));
    toggle.addEventListener('click', () => act(t('webhooks.cannotChange'), async () => {
      Object.assign(w, await api.patch(`/api/webhooks/${w.id}`, { disabled: !w.disabled }));
    }));
    const remove = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button' }, t('common.delete'));
    remove.addEventListener('click', () => {
      if (!confirm(t('webhooks.confirmDelete', { url: w.url }))) return;
      act(t('webhooks.cannotDelete'), async () => {
        await api.del(`/api/webhooks/${w.id}`);
        items = items.filter((x) => x.id !== w.id);
        logs.delete(w.id);
      });
    });
    const logButton = h('button', { class: 'btn btn-small btn-ghost', type: 'button', 'aria-expanded': logs.has(w.id) ? 'true' : 'false' }, t('admin.page.deliveries'));
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
    if (missing) { fill(list, missingNotice(t('admin.page.webhooks'))); return; }
    if (!items.length) { fill(list, h('p', { class: 'muted' }, t('webhooks.empty'))); return; }
    fill(list, items.map(row));
  }

  loadList(list, '/api/webhooks', (got) => { items = got; render(); }, (m) => { missing = m; render(); });

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.webhooks')),
      h('p', { class: 'muted' }, t('webhooks.intro')),
      shown, list, h('h2', null, t('webhooks.new')), form),
    update() {},
  };
}
