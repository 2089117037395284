// @ts-check
// First-start setup (one-time code → first admin) and the login page.

import { api, ApiError } from '../api.js';
import { h, icon } from '../dom.js';

function card(title, intro, form, footer) {
  return h('main', { class: 'auth' },
    h('div', { class: 'auth-card' },
      h('div', { class: 'auth-brand' }, icon('bell', 'brand-icon'), h('span', null, 'deskbell')),
      h('h1', null, title),
      intro ? h('p', { class: 'muted' }, intro) : null,
      form,
      footer ? h('div', { class: 'auth-footer' }, footer) : null));
}

function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
}

function errorBox() {
  return h('p', { class: 'form-error', role: 'alert', hidden: true });
}

function showError(box, text) {
  box.textContent = text;
  box.hidden = !text;
}

/** The first-start page. onDone(agent) after the admin is created and logged in. */
export function setupPage({ onDone, onLogin }) {
  const code = h('input', { name: 'code', autocomplete: 'one-time-code', required: true, autofocus: true, spellcheck: 'false' });
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, maxlength: 64 });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true });
  const pass2 = h('input', { name: 'password2', type: 'password', autocomplete: 'new-password', required: true });
  const error = errorBox();
  const button = h('button', { class: 'btn btn-primary btn-wide', type: 'submit' }, 'Create admin account');
  const form = h('form', { class: 'form', novalidate: true }, error,
    field('Setup code', code, 'Printed in the server log at start-up, and saved in setup-code.txt in the data directory.'),
    field('Your name', name, 'You log in with this name. Colleagues see it too.'),
    field('Password', pass),
    field('Password again', pass2),
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    if (!code.value.trim() || !name.value.trim() || !pass.value) return showError(error, 'Fill in every field.');
    if (pass.value !== pass2.value) return showError(error, 'The two passwords are different.');
    button.disabled = true;
    try {
      await api.post('/api/setup', { code: code.value.trim(), name: name.value.trim(), password: pass.value });
      const session = await api.post('/api/login', { name: name.value.trim(), password: pass.value });
      onDone(session.agent);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) showError(error, 'This server is already set up. Log in instead.');
      else if (e instanceof ApiError && e.status === 401) showError(error, 'That setup code is not right. Copy it again from the server log.');
      else showError(error, e.message);
      button.disabled = false;
    }
  });
  const footer = h('a', { href: '#', onclick: (e) => { e.preventDefault(); onLogin(); } }, 'Already set up? Log in');
  return card('Welcome to deskbell', 'Create the first admin account for your shop.', form, footer);
}

/** The login page. onDone(agent) after a successful login. */
export function loginPage({ onDone, onSetup, notice }) {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = errorBox();
  const button = h('button', { class: 'btn btn-primary btn-wide', type: 'submit' }, 'Log in');
  let countdown = null;

  function lockFor(seconds, message) {
    clearInterval(countdown);
    let left = Math.max(1, Math.ceil(seconds));
    const tick = () => {
      if (left <= 0) {
        clearInterval(countdown);
        button.disabled = false;
        button.textContent = 'Log in';
        showError(error, '');
        return;
      }
      button.disabled = true;
      button.textContent = `Try again in ${left} s`;
      showError(error, message || `Too many failed attempts. Try again in ${left} s.`);
      left -= 1;
    };
    tick();
    countdown = setInterval(tick, 1000);
  }

  const form = h('form', { class: 'form', novalidate: true },
    notice ? h('p', { class: 'form-notice' }, notice) : null,
    error, field('Name', name), field('Password', pass), button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    if (!name.value.trim() || !pass.value) return showError(error, 'Enter your name and password.');
    button.disabled = true;
    try {
      const session = await api.post('/api/login', { name: name.value.trim(), password: pass.value });
      clearInterval(countdown);
      onDone(session.agent);
    } catch (e) {
      button.disabled = false;
      if (e instanceof ApiError && e.status === 429) {
        const fromText = /(\d+)\s*s\b/.exec(e.message);
        const wait = e.retryAfter || (fromText ? Number(fromText[1]) : 30);
        lockFor(wait);
      } else if (e instanceof ApiError && e.status === 401) {
        showError(error, 'Wrong name or password.');
        pass.select();
      } else {
        showError(error, e.message);
      }
    }
  });
  const footer = onSetup
    ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); onSetup(); } }, 'First start? Create the admin account')
    : h('span', { class: 'muted' }, 'Forgot your password? Ask an admin to reset it.');
  return card('Log in', null, form, footer);
}

/** Shown when the server cannot be reached at start. */
export function unreachablePage(message, onRetry) {
  const retry = h('button', { class: 'btn btn-primary btn-wide', onclick: onRetry }, 'Try again');
  return card('Cannot reach deskbell', message, h('div', { class: 'form' }, retry));
}
