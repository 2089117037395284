// @ts-check
// Admin → Agents: create agents, set role and capacity, disable/enable, reset passwords.

import { state } from '../state.js';
import { api, ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError } from './forms.js';

export function agentsPage() {
  let agents = [];
  let loadError = '';
  let resetting = null;
  const table = h('div', { class: 'agents-table' });
  const name = h('input', { name: 'name', required: true, maxlength: 64, autocomplete: 'off' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, h('option', { value: 'agent' }, 'Agent'), h('option', { value: 'admin' }, 'Admin'));
  const capacity = h('input', { name: 'capacity', type: 'number', min: 1, max: 100, placeholder: 'default' });
  const error = errorLine();
  const create = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add agent');
  const form = h('form', { class: 'form form-grid', novalidate: true },
    field('Name', name), field('Password', password, 'They can’t change it yet: give it to them in person.'),
    field('Role', role, 'Admins manage agents and settings.'), field('Chats at once', capacity, 'Leave empty for the server default.'),
    h('div', { class: 'form-actions' }, error, create));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setError(error, '');
    if (!name.value.trim() || !password.value) return setError(error, 'A name and a password are needed.');
    create.disabled = true;
    try {
      const body = { name: name.value.trim(), password: password.value, admin: role.value === 'admin' };
      if (capacity.value) body.capacity = Number(capacity.value);
      const agent = await api.post('/api/agents', body);
      agents.push(agent);
      form.reset();
      toast(`${agent.name} can now log in.`, 'ok');
      render();
    } catch (err) {
      setError(error, err.status === 409 ? 'Someone already has that name.' : err.message);
    }
    create.disabled = false;
  });

  async function patch(agent, change, done) {
    try {
      const updated = await api.patch(`/api/agents/${agent.id}`, change);
      Object.assign(agent, updated || change);
      if (done) toast(done, 'ok');
    } catch (err) {
      toast(err instanceof ApiError && err.missing ? 'This server cannot change agents yet.' : err.message, 'error');
    }
    render();
  }

  function presenceOf(id) {
    const live = state.agents.get(id);
    if (!live) return h('span', { class: 'muted' }, 'offline');
    return h('span', { class: 'presence-cell' }, h('span', { class: `dot dot-${live.presence}` }), `${live.presence} · ${live.open}/${live.capacity} chats`);
  }

  function agentRow(a) {
    const self = state.me && a.id === state.me.id;
    const roleSel = h('select', { 'aria-label': `Role of ${a.name}`, disabled: self, onchange: (e) => patch(a, { admin: e.target.value === 'admin' }, 'Role saved') },
      h('option', { value: 'agent', selected: !a.admin }, 'Agent'), h('option', { value: 'admin', selected: a.admin }, 'Admin'));
    const cap = h('input', {
      type: 'number', min: 1, max: 100, class: 'cap-input', value: a.capacity ?? '', placeholder: 'default', 'aria-label': `Chats at once for ${a.name}`,
      onchange: (e) => patch(a, { capacity: e.target.value ? Number(e.target.value) : null }, 'Capacity saved'),
    });
    const toggle = h('button', {
      class: `btn btn-small ${a.disabled ? 'btn-ghost' : 'btn-danger-ghost'}`, type: 'button', disabled: self,
      title: self ? 'You cannot disable yourself' : '',
      onclick: () => {
        if (!a.disabled && !confirm(`Disable ${a.name}? They are logged out at once and their open chats go back to the queue.`)) return;
        patch(a, { disabled: !a.disabled }, a.disabled ? `${a.name} is enabled again.` : `${a.name} is disabled.`);
      },
    }, a.disabled ? 'Enable' : 'Disable');
    const reset = h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { resetting = resetting === a.id ? null : a.id; render(); } }, 'Reset password');
    const cells = h('div', { class: `agent-row${a.disabled ? ' is-disabled' : ''}` },
      h('div', { class: 'agent-name' }, h('strong', null, a.name), self ? h('span', { class: 'chip' }, 'you') : null, a.disabled ? h('span', { class: 'chip chip-closed' }, 'disabled') : null),
      h('div', { class: 'agent-presence' }, presenceOf(a.id)),
      h('div', null, roleSel),
      h('div', null, cap),
      h('div', { class: 'agent-actions' }, reset, toggle));
    if (resetting !== a.id) return cells;
    const pw = h('input', { type: 'password', autocomplete: 'new-password', 'aria-label': `New password for ${a.name}`, placeholder: 'New password' });
    const save = h('button', { class: 'btn btn-small btn-primary', type: 'submit' }, 'Save password');
    const resetForm = h('form', { class: 'reset-form' }, pw, save,
      h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { resetting = null; render(); } }, 'Cancel'));
    resetForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!pw.value) return;
      resetting = null;
      patch(a, { password: pw.value }, `New password saved for ${a.name}.`);
    });
    setTimeout(() => pw.focus(), 0);
    return h('div', { class: 'agent-block' }, cells, resetForm);
  }

  function render() {
    if (loadError) { fill(table, h('p', { class: 'form-error' }, loadError)); return; }
    fill(table,
      h('div', { class: 'agent-row agent-head' }, h('div', null, 'Name'), h('div', null, 'Now'), h('div', null, 'Role'), h('div', null, 'Chats at once'), h('div', null, '')),
      agents.sort((a, b) => a.name.localeCompare(b.name)).map(agentRow));
  }

  api.get('/api/agents').then((list) => { agents = list; render(); }, (e) => { loadError = e.message; render(); });
  fill(table, h('p', { class: 'muted' }, 'Loading…'));

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, 'Agents'),
      h('p', { class: 'muted' }, 'Everyone who answers chats. New chats go to the online agent with the fewest open chats.'),
      table,
      h('h2', null, 'Add an agent'),
      form),
    update(topics) { if (topics.has('agents') && resetting === null) render(); },
  };
}
