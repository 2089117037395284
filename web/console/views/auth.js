// @ts-check
// First-start setup (one-time code → first admin) and the login page.

import { api, ApiError } from '../api.js';
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';

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
  const button = h('button', { class: 'btn btn-primary btn-wide', type: 'submit' }, t('auth.createAdmin'));
  const form = h('form', { class: 'form', novalidate: true }, error,
    field(t('auth.setupCode'), code, t('auth.setupCodeHint')),
    field(t('auth.yourName'), name, t('auth.yourNameHint')),
    field(t('profile.password'), pass),
    field(t('auth.passwordAgain'), pass2),
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    if (!code.value.trim() || !name.value.trim() || !pass.value) return showError(error, t('auth.fillAll'));
    if (pass.value !== pass2.value) return showError(error, t('auth.passwordsDiffer'));
    button.disabled = true;
    try {
      await api.post('/api/setup', { code: code.value.trim(), name: name.value.trim(), password: pass.value });
      const session = await api.post('/api/login', { name: name.value.trim(), password: pass.value });
      onDone(session.agent);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) showError(error, t('auth.alreadySetUp'));
      else if (e instanceof ApiError && e.status === 401) showError(error, t('auth.wrongCode'));
      else showError(error, e.message);
      button.disabled = false;
    }
  });
  const footer = h('a', { href: '#', onclick: (e) => { e.preventDefault(); onLogin(); } }, t('auth.toLogin'));
  return card(t('auth.welcome'), t('auth.welcomeIntro'), form, footer);
}

/** The login page. onDone(agent) after a successful login. */
export function loginPage({ onDone, onSetup, notice }) {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = errorBox();
  const button = h('button', { class: 'btn btn-primary btn-wide', type: 'submit' }, t('auth.login'));
  let countdown = null;

  function lockFor(seconds, message) {
    clearInterval(countdown);
    let left = Math.max(1, Math.ceil(seconds));
    const tick = () => {
      if (left <= 0) {
        clearInterval(countdown);
        button.disabled = false;
        button.textContent = t('auth.login');
        showError(error, '');
        return;
      }
      button.disabled = true;
      button.textContent = t('auth.tryAgainIn', { n: left });
      showError(error, message || t('auth.tooMany', { n: left }));
      left -= 1;
    };
    tick();
    countdown = setInterval(tick, 1000);
  }

  const form = h('form', { class: 'form', novalidate: true },
    notice ? h('p', { class: 'form-notice' }, notice) : null,
    error, field(t('profile.name'), name), field(t('profile.password'), pass), button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    if (!name.value.trim() || !pass.value) return showError(error, t('auth.enterBoth'));
    button.disabled = true;
    try {
      const session = await api.post('/api/login', { name: name.value.trim(), password: pass.value });
      clearInterval(countdown);
      onDone(session.agent);
    } catch (e) {
      button.disabled = false;
      if (e instanceof ApiError && e.status === 429) {
        const fromText = /(\d+)\s*s\b/.exec(e.serverMessage);
        const wait = e.retryAfter || (fromText ? Number(fromText[1]) : 30);
        lockFor(wait);
      } else if (e instanceof ApiError && e.status === 401) {
        showError(error, t('auth.wrong'));
        pass.select();
      } else {
        showError(error, e.message);
      }
    }
  });
  const footer = onSetup
    ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); onSetup(); } }, t('auth.toSetup'))
    : h('span', { class: 'muted' }, t('auth.forgot'));
  return card(t('auth.login'), null, form, footer);
}

/** Shown when the server cannot be reached at start. */
export function unreachablePage(message, onRetry) {
  const retry = h('button', { class: 'btn btn-primary btn-wide', onclick: onRetry }, t('auth.tryAgain'));
  return card(t('auth.unreachable'), message, h('div', { class: 'form' }, retry));
}
