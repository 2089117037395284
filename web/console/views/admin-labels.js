// @ts-check
// Admin → Labels: names and colours agents tag conversations with, and the automatic
// rules (a bot hand-off reason, an FAQ entry's answer) that add a label by themselves.

import { state } from '../state.js';
import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError, missingNotice, loadList } from './forms.js';
import { AVATAR_PALETTE } from '../avatar-palette.js';
import { loadLabels, labelChip } from '../labels.js';
import { t } from '../i18n.js';

const REASONS = ['human_requested', 'frustrated', 'low_confidence', 'bot_unavailable'];
const MAX_LABELS = 100;

/** The inputs of one label (new or edited) and how to read them back. */
function labelInputs(label) {
  const name = h('input', { maxlength: 32, value: label ? label.name : '', autocomplete: 'off', 'aria-label': t('labels.name') });
  const colour = h('input', { type: 'color', value: label ? label.colour : AVATAR_PALETTE[2], 'aria-label': t('labels.colour') });
  const reasons = REASONS.map((r) => h('input', { type: 'checkbox', value: r, checked: Boolean(label && label.on_handoff.includes(r)) }));
  const faq = h('input', { value: label ? label.on_faq.join(', ') : '', placeholder: '3, 7', inputmode: 'numeric', 'aria-label': t('labels.onFaq') });
  const fields = [
    field(t('labels.name'), name),
    field(t('labels.colour'), colour),
    h('fieldset', { class: 'field' }, h('legend', { class: 'field-label' }, t('labels.onHandoff')),
      reasons.map((box, i) => h('label', { class: 'check' }, box, ` ${t(`labels.reason.${REASONS[i]}`)}`))),
    field(t('labels.onFaq'), faq, t('labels.onFaqHint')),
  ];
  const read = () => {
    const ids = faq.value.split(/[\s,]+/).filter(Boolean);
    if (!name.value.trim()) return { problem: t('labels.noName') };
    if (ids.some((x) => !/^\d+$/.test(x))) return { problem: t('labels.badFaq') };
    return {
      body: {
        name: name.value.trim(), colour: colour.value,
        on_handoff: reasons.filter((b) => b.checked).map((b) => b.value), on_faq: ids.map(Number),
      },
    };
  };
  return { fields, read };
}

export function labelsPage() {
  let items = [];
  let editing = null;
  let missing = false;
  const list = h('div', { class: 'canned-list labels-list' });

  async function submit(e, inputs, error, id) {
    e.preventDefault();
    const { problem, body } = inputs.read();
    setError(error, problem);
    if (problem || !body) return;
    try {
      if (id) await api.put(`/api/labels/${id}`, body); else await api.post('/api/labels', body);
      editing = null;
      await reload();
      if (!id) { form.reset(); fill(form, formContent()); }
    } catch (err) { setError(error, err.message); }
  }

  function formContent() {
    const inputs = labelInputs(null);
    const error = errorLine();
    form.onsubmit = (e) => submit(e, inputs, error, null);
    return [inputs.fields, h('div', { class: 'form-actions' }, error, h('button', { class: 'btn btn-primary', type: 'submit' }, t('labels.create')))];
  }
  const form = h('form', { class: 'form new-label', novalidate: true });
  fill(form, formContent());

  function itemEl(l) {
    if (editing !== l.id) {
      const rules = [...l.on_handoff.map((r) => t(`labels.reason.${r}`)), ...l.on_faq.map((f) => t('labels.faqNumbered', { id: f }))];
      return h('div', { class: 'canned-row label-row' },
        h('div', { class: 'canned-text' }, labelChip(h, l), rules.length ? h('p', { class: 'muted small' }, t('labels.addedBy', { rules: rules.join(', ') })) : null),
        h('div', { class: 'canned-actions' },
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = l.id; render(); } }, t('common.edit')),
          h('button', {
            class: 'btn btn-small btn-danger-ghost', type: 'button',
            onclick: async () => {
              if (!confirm(t('labels.confirmDelete', { name: l.name }))) return;
              try { await api.del(`/api/labels/${l.id}`); await reload(); } catch (err) { toast(err.message, 'error'); }
            },
          }, t('common.delete'))));
    }
    const inputs = labelInputs(l);
    const error = errorLine();
    const edit = h('form', { class: 'canned-row canned-edit form' },
      h('div', { class: 'canned-text' }, inputs.fields, error),
      h('div', { class: 'canned-actions' },
        h('button', { class: 'btn btn-small btn-primary', type: 'submit' }, t('common.save')),
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = null; render(); } }, t('common.cancel'))));
    edit.addEventListener('submit', (e) => submit(e, inputs, error, l.id));
    return edit;
  }

  function render() {
    if (missing) { fill(list, missingNotice(t('admin.page.labels'))); return; }
    form.hidden = items.length >= MAX_LABELS;
    if (!items.length) { fill(list, h('p', { class: 'muted' }, t('labels.empty'))); return; }
    fill(list, items.sort((a, b) => a.name.localeCompare(b.name)).map(itemEl));
  }

  async function reload() {
    await loadLabels();
    items = state.labels ? [...state.labels.values()] : [];
    render();
  }

  loadList(list, '/api/labels', (got) => { items = got; render(); }, (m) => { missing = m; render(); });

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.labels')),
      h('p', { class: 'muted' }, t('labels.intro')),
      list, h('h2', null, t('labels.new')), form),
    update(topics) { if (topics.has('labels') && editing === null && state.labels) { items = [...state.labels.values()]; render(); } },
  };
}
