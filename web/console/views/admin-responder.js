// @ts-check
// Admin → AI responder: an external responder behind the FAQ bot (GET/PUT
// /api/responder; docs/BOT.md, "An AI behind the bot"): when it runs, its form (an
// OpenAI-compatible chat completion or a signed call to the shop's own service), the
// URL, the key (write-only: the server only says whether one is set), the model, the
// time limit and the spending limits.

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError, missingNotice, loadSettings } from './forms.js';
import { t } from '../i18n.js';

const DEFAULTS = {
  mode: 'never', kind: 'openai', url: '', key_set: false, model: '', timeout_ms: 8000,
  per_conversation: 10, per_day: 500, allow_private: false,
};

function select(name, value, options) {
  return h('select', { name }, options.map((o) => h('option', { value: o, selected: o === value }, t(`responder.${name}.${o}`))));
}

export function responderPage() {
  const root = h('div', { class: 'admin-page' }, h('h1', null, t('admin.page.responder')), h('p', { class: 'muted' }, t('common.loading')));

  function build(given, missing) {
    const s = { ...DEFAULTS, ...given };
    const mode = select('mode', s.mode, ['never', 'when_unsure', 'always']);
    const kind = select('kind', s.kind, ['openai', 'signed']);
    const url = h('input', { name: 'url', value: s.url, placeholder: 'https://api.openai.com/v1', spellcheck: 'false' });
    const key = h('input', { name: 'key', type: 'password', autocomplete: 'off', placeholder: s.key_set ? t('responder.keySet') : '' });
    const removeKey = h('input', { type: 'checkbox', name: 'remove_key', disabled: !s.key_set });
    const model = h('input', { name: 'model', value: s.model, placeholder: 'gpt-4o-mini', spellcheck: 'false' });
    const timeout = h('input', { name: 'timeout', type: 'number', min: 1, max: 60, value: String(s.timeout_ms / 1000) });
    const perConversation = h('input', { name: 'per_conversation', type: 'number', min: 1, max: 1000, value: String(s.per_conversation) });
    const perDay = h('input', { name: 'per_day', type: 'number', min: 1, value: String(s.per_day) });
    const allowPrivate = h('input', { type: 'checkbox', name: 'allow_private', checked: s.allow_private });
    const modelField = field(t('responder.model'), model, t('responder.modelHint'));
    const showKind = () => {
      modelField.hidden = kind.value !== 'openai';
      url.placeholder = kind.value === 'openai' ? 'https://api.openai.com/v1' : 'https://shop.example/deskbell/ask';
    };
    kind.addEventListener('change', showKind);
    showKind();

    const error = errorLine();
    const save = h('button', { class: 'btn btn-primary', type: 'submit', disabled: missing }, t('common.save'));
    const form = h('form', { class: 'form settings-form', novalidate: true },
      h('fieldset', null, h('legend', null, t('responder.when')),
        field(t('responder.modeLabel'), mode, t('responder.modeHint'))),
      h('fieldset', null, h('legend', null, t('responder.where')),
        field(t('responder.kindLabel'), kind),
        field(t('responder.url'), url, t('responder.urlHint')),
        field(t('responder.key'), key, t('responder.keyHint')),
        h('label', { class: 'check' }, removeKey, t('responder.removeKey')),
        modelField,
        h('label', { class: 'check' }, allowPrivate, t('responder.allowPrivate')),
        h('p', { class: 'field-hint' }, t('responder.allowPrivateHint'))),
      h('fieldset', null, h('legend', null, t('responder.limits')),
        field(t('responder.timeout'), timeout),
        field(t('responder.perConversation'), perConversation),
        field(t('responder.perDay'), perDay, t('responder.limitsHint'))),
      h('div', { class: 'form-actions' }, error, save));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      setError(error, '');
      /** @type {Record<string, any>} */
      const next = {
        mode: mode.value, kind: kind.value, url: url.value.trim(), model: model.value.trim(),
        timeout_ms: Math.round(Number(timeout.value) * 1000), per_conversation: Number(perConversation.value),
        per_day: Number(perDay.value), allow_private: allowPrivate.checked,
      };
      if (key.value) next.key = key.value;
      else if (removeKey.checked) next.key = '';
      save.disabled = true;
      try {
        const shown = await api.put('/api/responder', next);
        toast(t('responder.saved'), 'ok');
        build(shown, false);
      } catch (err) {
        setError(error, err.message);
        save.disabled = false;
      }
    });

    fill(root, h('h1', null, t('admin.page.responder')),
      h('p', { class: 'muted' }, t('responder.intro')),
      missing ? missingNotice(t('responder.missingWhat')) : null,
      form);
  }

  loadSettings(root, t('admin.page.responder'), '/api/responder', build);

  return { el: root, update() {} };
}
