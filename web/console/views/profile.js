// @ts-check
// Profile: the logged-in agent's own name, avatar (initials on a colour, which visitors
// see next to their messages), password, the console's language, email address, email
// language and notification choices (PATCH /api/me), and, for admins,
// "Send a test email" (POST /api/email/test), which shows the SMTP server's answer.
// A new console language is drawn by loading the console again.

import { state, changed } from '../state.js';
import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError } from './forms.js';
import { t, LANGUAGES, useLanguage } from '../i18n.js';
import { AVATAR_PALETTE } from '../avatar-palette.js';

/** A form whose submit handler gets the error line to report into. */
function form(children, onSubmit) {
  const error = errorLine();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, t('common.save'));
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

/** Shows the saved account's name and avatar in the top bar. */
function mine(saved) {
  if (!state.me) return;
  state.me.name = saved.name;
  state.me.avatar = saved.avatar;
  changed('me');
}

/** The avatar form: initials, a colour from the palette, a preview; "Use the default"
 * goes back to the initials of the name on the colour the server picks. */
function avatarForm(me) {
  const avatar = me.avatar || { initials: '?', colour: AVATAR_PALETTE[0], chosen: false };
  const preview = h('span', { class: 'avatar avatar-lg profile-avatar', 'aria-hidden': 'true' });
  const initials = h('input', { name: 'initials', maxlength: 2, value: avatar.initials, class: 'initials-input' });
  let colour = avatar.colour;
  const swatches = AVATAR_PALETTE.map((c) => {
    const radio = h('input', { type: 'radio', name: 'avatar-colour', value: c, checked: c === colour, 'aria-label': t('profile.avatarColour', { colour: c }) });
    radio.addEventListener('change', () => { colour = c; show(); });
    const swatch = h('label', { class: 'swatch' }, radio);
    swatch.style.background = c;
    return swatch;
  });
  function show() {
    preview.textContent = initials.value.trim().toUpperCase() || '?';
    preview.style.background = colour;
  }
  initials.addEventListener('input', show);
  show();
  const reset = h('button', { class: 'btn btn-ghost', type: 'button' }, t('profile.avatarDefault'));
  const el = form([
    h('div', { class: 'avatar-row' }, preview, field(t('profile.initials'), initials, t('profile.avatarHint'))),
    h('div', { class: 'field' }, h('span', { class: 'field-label' }, t('profile.colour')), h('div', { class: 'swatches', role: 'radiogroup', 'aria-label': t('profile.colour') }, swatches)),
    reset,
  ], async () => {
    const saved = await api.patch('/api/me', { avatar: { initials: initials.value.trim(), colour } });
    initials.value = saved.avatar.initials;
    show();
    mine(saved);
    toast(t('profile.avatarSaved'), 'ok');
  });
  reset.addEventListener('click', async () => {
    try {
      const saved = await api.patch('/api/me', { avatar: null });
      initials.value = saved.avatar.initials;
      colour = saved.avatar.colour;
      mine(saved);
      for (const s of swatches) { const r = /** @type {HTMLInputElement} */ (s.firstChild); r.checked = r.value === colour; }
      show();
      toast(t('profile.avatarSaved'), 'ok');
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  return el;
}

export function profilePage() {
  const body = h('div', { class: 'profile-forms' }, h('p', { class: 'muted' }, t('common.loading')));

  function render(me) {
    const name = h('input', { name: 'name', required: true, maxlength: 64, autocomplete: 'username', value: me.name });
    const nameForm = form([field(t('profile.name'), name, t('profile.nameHint'))], async () => {
      const saved = await api.patch('/api/me', { name: name.value.trim() });
      mine(saved);
      toast(t('profile.nameSaved'), 'ok');
    });

    const consoleLanguage = h('select', { name: 'console_language' },
      h('option', { value: '', selected: !me.console_language }, t('profile.browserLanguage')),
      LANGUAGES.map(([code, label]) => h('option', { value: code, selected: me.console_language === code }, label)));
    const languageForm = form([field(t('profile.consoleLanguage'), consoleLanguage, t('profile.consoleLanguageHint'))], async () => {
      const saved = await api.patch('/api/me', { console_language: consoleLanguage.value || null });
      if (useLanguage(saved.console_language)) location.reload();
      else toast(t('profile.languageSaved'), 'ok');
    });

    const current = h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password' });
    const next = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
    const passwordForm = form([field(t('profile.currentPassword'), current), field(t('profile.newPassword'), next, t('profile.newPasswordHint'))], async () => {
      await api.patch('/api/me', { current_password: current.value, password: next.value });
      current.value = ''; next.value = '';
      toast(t('profile.passwordChanged'), 'ok');
    });

    const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', value: me.email || '', placeholder: 'you@shop.example' });
    const language = h('select', { name: 'language' },
      h('option', { value: 'en', selected: me.language !== 'zh' }, 'English'),
      h('option', { value: 'zh', selected: me.language === 'zh' }, '中文'));
    const waiting = h('input', { name: 'notify_waiting_email', type: 'checkbox', checked: me.notify_waiting_email !== false });
    const emailForm = form([
      field(t('profile.email'), email, t('profile.emailHint')),
      field(t('profile.emailLanguage'), language),
      h('label', { class: 'field field-check', id: 'notifications' }, waiting, h('span', null, t('profile.waitingEmail'))),
    ], async () => {
      await api.patch('/api/me', { email: email.value.trim() || null, language: language.value, notify_waiting_email: waiting.checked });
      toast(t('profile.emailSaved'), 'ok');
    });

    /** @type {HTMLElement[]} */
    const parts = [
      h('h2', null, t('profile.name')), nameForm,
      h('h2', null, t('profile.avatar')), avatarForm(me),
      h('h2', null, t('profile.consoleLanguage')), languageForm,
      h('h2', null, t('profile.password')), passwordForm,
      h('h2', null, t('profile.emailNotifications')), emailForm,
    ];
    if (me.admin) {
      const result = h('p', { class: 'test-email-result', role: 'status' });
      const send = h('button', {
        class: 'btn btn-ghost', type: 'button',
        onclick: async () => {
          send.disabled = true;
          result.className = 'test-email-result muted';
          result.textContent = t('messages.sending');
          try {
            const answer = await api.post('/api/email/test', {});
            result.className = 'test-email-result ok';
            result.textContent = t('profile.testSent', { to: answer.to });
          } catch (err) {
            result.className = 'test-email-result form-error';
            result.textContent = err.message;
          }
          send.disabled = false;
        },
      }, t('profile.sendTest'));
      parts.push(h('h2', null, t('profile.checkEmail')),
        h('p', { class: 'muted' }, t('profile.checkEmailHint')),
        send, result);
    }
    fill(body, parts);
  }

  api.get('/api/me').then(render, (e) => fill(body, h('p', { class: 'form-error' }, e.message)));
  return {
    el: h('div', { class: 'admin-page profile' }, h('h1', null, t('topbar.profile')), body),
    update() {},
  };
}
