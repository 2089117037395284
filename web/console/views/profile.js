// @ts-check
// Profile: the logged-in agent's own name, password, email address, email language and
// notification choices (PATCH /api/me), and, for admins, "Send a test email"
// (POST /api/email/test), which shows the SMTP server's answer.

import { state, changed } from '../state.js';
import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError } from './forms.js';

/** A form whose submit handler gets the error line to report into. */
function form(children, onSubmit) {
  const error = errorLine();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Save');
  const el = h('form', { class: 'form form-grid', novalidate: true }, children, h('div', { class: 'form-actions' }, error, submit));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    setError(error, '');
    submit.disabled = true;
    try {
      await onSubmit();
    } catch (err) {
      setError(error, err.message);
    }
    submit.disabled = false;
  });
  return el;
}

export function profilePage() {
  const body = h('div', { class: 'profile-forms' }, h('p', { class: 'muted' }, 'Loading…'));

  function render(me) {
    const name = h('input', { name: 'name', required: true, maxlength: 64, autocomplete: 'username', value: me.name });
    const nameForm = form([field('Name', name, 'Your login name, also shown to colleagues.')], async () => {
      const saved = await api.patch('/api/me', { name: name.value.trim() });
      if (state.me) { state.me.name = saved.name; changed('me'); }
      toast('Name saved.', 'ok');
    });

    const current = h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password' });
    const next = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
    const passwordForm = form([field('Current password', current), field('New password', next, 'Your other sessions are logged out.')], async () => {
      await api.patch('/api/me', { current_password: current.value, password: next.value });
      current.value = ''; next.value = '';
      toast('Password changed.', 'ok');
    });

    const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', value: me.email || '', placeholder: 'you@shop.example' });
    const language = h('select', { name: 'language' },
      h('option', { value: 'en', selected: me.language !== 'zh' }, 'English'),
      h('option', { value: 'zh', selected: me.language === 'zh' }, '中文'));
    const waiting = h('input', { name: 'notify_waiting_email', type: 'checkbox', checked: me.notify_waiting_email !== false });
    const emailForm = form([
      field('Email', email, 'Where deskbell emails you. Leave empty for no email.'),
      field('Language of emails', language),
      h('label', { class: 'field field-check', id: 'notifications' }, waiting, h('span', null, 'Email me when a visitor is waiting and nobody is online')),
    ], async () => {
      await api.patch('/api/me', { email: email.value.trim() || null, language: language.value, notify_waiting_email: waiting.checked });
      toast('Email settings saved.', 'ok');
    });

    /** @type {HTMLElement[]} */
    const parts = [
      h('h2', null, 'Name'), nameForm,
      h('h2', null, 'Password'), passwordForm,
      h('h2', null, 'Email notifications'), emailForm,
    ];
    if (me.admin) {
      const result = h('p', { class: 'test-email-result', role: 'status' });
      const send = h('button', {
        class: 'btn btn-ghost', type: 'button',
        onclick: async () => {
          send.disabled = true;
          result.className = 'test-email-result muted';
          result.textContent = 'Sending…';
          try {
            const answer = await api.post('/api/email/test', {});
            result.className = 'test-email-result ok';
            result.textContent = `Sent to ${answer.to}. Check that mailbox.`;
          } catch (err) {
            result.className = 'test-email-result form-error';
            result.textContent = err.message;
          }
          send.disabled = false;
        },
      }, 'Send a test email');
      parts.push(h('h2', null, 'Check the email setup'),
        h('p', { class: 'muted' }, 'Sends a short email to your address now, through the server’s SMTP settings, and shows what the mail server answered.'),
        send, result);
    }
    fill(body, parts);
  }

  api.get('/api/me').then(render, (e) => fill(body, h('p', { class: 'form-error' }, e.message)));
  return {
    el: h('div', { class: 'admin-page profile' }, h('h1', null, 'Your profile'), body),
    update() {},
  };
}
