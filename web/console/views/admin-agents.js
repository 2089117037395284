// @ts-check
// Admin → Agents: create agents, set role and capacity, disable/enable, reset passwords.

import { state } from '../state.js';
import { api, ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError } from './forms.js';
import { t } from '../i18n.js';

export function agentsPage() {
  let agents = [];
  let loadError = '';
  let resetting = null;
  const table = h('div', { class: 'agents-table' });
  const name = h('input', { name: 'name', required: true, maxlength: 64, autocomplete: 'off' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, h('option', { value: 'agent' }, t('agents.roleAgent')), h('option', { value: 'admin' }, t('agents.roleAdmin')));
  const capacity = h('input', { name: 'capacity', type: 'number', min: 1, max: 100, placeholder: t('agents.default') });
  const error = errorLine();
  const create = h('button', { class: 'btn btn-primary', type: 'submit' }, t('agents.add'));
  const form = h('form', { class: 'form form-grid', novalidate: true },
    field(t('profile.name'), name), field(t('profile.password'), password, t('agents.passwordHint')),
    field(t('agents.role'), role, t('agents.roleHint')), field(t('agents.capacity'), capacity, t('agents.capacityHint')),
    h('div', { class: 'form-actions' }, error, create));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setError(error, '');
    if (!name.value.trim() || !password.value) return setError(error, t('agents.needBoth'));
    create.disabled = true;
    try {
      const body = { name: name.value.trim(), password: password.value, admin: role.value === 'admin' };
      if (capacity.value) body.capacity = Number(capacity.value);
      const agent = await api.post('/api/agents', body);
      agents.push(agent);
      form.reset();
      toast(t('agents.created', { name: agent.name }), 'ok');
      render();
    } catch (err) {
      setError(error, err.status === 409 ? t('agents.nameTaken') : err.message);
    }
    create.disabled = false;
  });

  async function patch(agent, change, done) {
    try {
      const updated = await api.patch(`/api/agents/${agent.id}`, change);
      Object.assign(agent, updated || change);
      if (done) toast(done, 'ok');
    } catch (err) {
      toast(err instanceof ApiError && err.missing ? t('agents.cannotChange') : err.message, 'error');
    }
    render();
  }

  function presenceOf(id) {
    const live = state.agents.get(id);
    if (!live) return h('span', { class: 'muted' }, t('presence.offline'));
    return h('span', { class: 'presence-cell' }, h('span', { class: `dot dot-${live.presence}` }), `${t(`presence.${live.presence}`)} · ${t('conv.load', { open: live.open, capacity: live.capacity })}`);
  }

  function agentRow(a) {
    const self = state.me && a.id === state.me.id;
    const roleSel = h('select', { 'aria-label': t('agents.roleOf', { name: a.name }), disabled: self, onchange: (e) => patch(a, { admin: e.target.value === 'admin' }, t('agents.roleSaved')) },
      h('option', { value: 'agent', selected: !a.admin }, t('agents.roleAgent')), h('option', { value: 'admin', selected: a.admin }, t('agents.roleAdmin')));
    const cap = h('input', {
      type: 'number', min: 1, max: 100, class: 'cap-input', value: a.capacity ?? '', placeholder: t('agents.default'), 'aria-label': t('agents.capacityOf', { name: a.name }),
      onchange: (e) => patch(a, { capacity: e.target.value ? Number(e.target.value) : null }, t('agents.capacitySaved')),
    });
    const toggle = h('button', {
      class: `btn btn-small ${a.disabled ? 'btn-ghost' : 'btn-danger-ghost'}`, type: 'button', disabled: self,
      title: self ? t('agents.notSelf') : '',
      onclick: () => {
        if (!a.disabled && !confirm(t('agents.confirmDisable', { name: a.name }))) return;
        patch(a, { disabled: !a.disabled }, a.disabled ? t('agents.enabled', { name: a.name }) : t('agents.disabled', { name: a.name }));
      },
    }, a.disabled ? t('common.enable') : t('common.disable'));
    const reset = h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { resetting = resetting === a.id ? null : a.id; render(); } }, t('agents.resetPassword'));
    const cells = h('div', { class: `agent-row${a.disabled ? ' is-disabled' : ''}` },
      h('div', { class: 'agent-name' }, h('strong', null, a.name), self ? h('span', { class: 'chip' }, t('conv.you')) : null, a.disabled ? h('span', { class: 'chip chip-closed' }, t('agents.disabledChip')) : null),
      h('div', { class: 'agent-presence' }, presenceOf(a.id)),
      h('div', null, roleSel),
      h('div', null, cap),
      h('div', { class: 'agent-actions' }, reset, toggle));
    if (resetting !== a.id) return cells;
    const pw = h('input', { type: 'password', autocomplete: 'new-password', 'aria-label': t('agents.newPasswordFor', { name: a.name }), placeholder: t('profile.newPassword') });
    const save = h('button', { class: 'btn btn-small btn-primary', type: 'submit' }, t('agents.savePassword'));
    const resetForm = h('form', { class: 'reset-form' }, pw, save,
      h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { resetting = null; render(); } }, t('common.cancel')));
    resetForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!pw.value) return;
      resetting = null;
      patch(a, { password: pw.value }, t('agents.passwordSaved', { name: a.name }));
    });
    setTimeout(() => pw.focus(), 0);
    return h('div', { class: 'agent-block' }, cells, resetForm);
  }

  function render() {
    if (loadError) { fill(table, h('p', { class: 'form-error' }, loadError)); return; }
    fill(table,
      h('div', { class: 'agent-row agent-head' }, h('div', null, t('profile.name')), h('div', null, t('agents.now')), h('div', null, t('agents.role')), h('div', null, t('agents.capacity')), h('div', null, '')),
      agents.sort((a, b) => a.name.localeCompare(b.name)).map(agentRow));
  }

  api.get('/api/agents').then((list) => { agents = list; render(); }, (e) => { loadError = e.message; render(); });
  fill(table, h('p', { class: 'muted' }, t('common.loading')));

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.agents')),
      h('p', { class: 'muted' }, t('agents.intro')),
      table,
      h('h2', null, t('agents.addTitle')),
      form),
    update(topics) { if (topics.has('agents') && resetting === null) render(); },
  };
}
