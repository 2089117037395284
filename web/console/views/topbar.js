// @ts-check
// The top bar: brand, navigation, connection state, presence, sound, desktop
// notification and "Notify this device" (Web Push) switches, the agent's name and logout.

import { state, attentionCount } from '../state.js';
import { h, fill, icon, toast } from '../dom.js';
import { prefs, setSound, toggleDesktop, desktopState } from '../notify.js';
import { togglePush, pushState } from '../push.js';
import { setPresence, retryNow } from '../live.js';
import { inboxTab } from '../router.js';
import { t } from '../i18n.js';

export function mountTopbar({ onLogout }) {
  const inboxLink = h('a', { class: 'nav-link', href: '#/inbox/mine' }, icon('inbox'), h('span', { class: 'nav-text' }, t('topbar.inbox')));
  const inboxBadge = h('span', { class: 'badge', hidden: true });
  inboxLink.append(inboxBadge);
  const adminLink = h('a', { class: 'nav-link', href: '#/admin/agents', hidden: true }, icon('settings'), h('span', { class: 'nav-text' }, t('topbar.admin')));

  const presenceBtn = h('button', { class: 'presence', type: 'button', onclick: () => setPresence(state.presence === 'online' ? 'away' : 'online') });
  const soundBtn = h('button', { class: 'icon-btn', type: 'button', onclick: () => { setSound(!prefs.sound); render(); } });
  const desktopBtn = h('button', {
    class: 'icon-btn', type: 'button',
    onclick: async () => {
      const result = await toggleDesktop();
      if (result === 'blocked') toast(t('topbar.desktopBlockedToast'), 'error', 8000);
      if (result === 'unsupported') toast(t('topbar.desktopUnsupportedToast'), 'error');
      render();
    },
  });
  const pushBtn = h('button', {
    class: 'icon-btn', type: 'button',
    onclick: async () => {
      pushBtn.disabled = true;
      try {
        const result = await togglePush();
        if (result === 'on') toast(t('topbar.pushOnToast'), 'ok');
        if (result === 'blocked') toast(t('topbar.pushBlockedToast'), 'error', 8000);
        if (result === 'unsupported') toast(t('topbar.pushUnsupportedToast'), 'error', 8000);
      } catch (e) {
        toast(t('topbar.pushFailed', { why: e.message }), 'error', 8000);
      } finally {
        pushBtn.disabled = false;
        render();
      }
    },
  });
  const who = h('a', { class: 'me-name', href: '#/profile', title: t('topbar.profile') });
  const logout = h('button', { class: 'icon-btn', type: 'button', title: t('topbar.logout'), 'aria-label': t('topbar.logout'), onclick: onLogout }, icon('logout'));
  const conn = h('div', { class: 'conn', role: 'status', 'aria-live': 'polite' });

  const el = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/inbox/mine' }, icon('bell', 'brand-icon'), h('span', { class: 'brand-text' }, 'deskbell')),
    h('nav', { class: 'nav' }, inboxLink, adminLink),
    conn,
    h('div', { class: 'topbar-tools' }, presenceBtn, soundBtn, desktopBtn, pushBtn, who, logout));

  let countdown = null;
  function renderConn() {
    clearInterval(countdown);
    const { phase, retryAt } = state.conn;
    el.classList.toggle('is-offline', phase === 'waiting');
    if (phase === 'online') {
      fill(conn);
      conn.hidden = true;
      return;
    }
    conn.hidden = false;
    if (phase === 'connecting') {
      fill(conn, h('span', { class: 'spinner' }), t('topbar.connecting'));
      return;
    }
    const tick = () => {
      const secs = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
      fill(conn, icon('alert'), h('span', null, secs > 0 ? t('topbar.reconnectingIn', { n: secs }) : t('topbar.reconnecting')),
        h('button', { class: 'link-btn', type: 'button', onclick: retryNow }, t('topbar.retryNow')));
    };
    tick();
    countdown = setInterval(tick, 1000);
  }

  function render() {
    const me = state.me || { name: '', admin: false, avatar: null };
    const mine = me.avatar;
    const avatar = mine ? h('span', { class: 'avatar me-avatar', 'aria-hidden': 'true' }, mine.initials) : null;
    if (avatar && mine && /^#[0-9a-f]{6}$/i.test(mine.colour)) avatar.style.background = mine.colour;
    fill(who, avatar, h('span', { class: 'me-text' }, me.name));
    adminLink.hidden = !me.admin;
    inboxLink.href = `#/inbox/${inboxTab()}`;
    const n = attentionCount();
    inboxBadge.hidden = n === 0;
    inboxBadge.textContent = n > 99 ? '99+' : String(n);
    const away = state.presence === 'away';
    fill(presenceBtn, h('span', { class: `dot ${away ? 'dot-away' : 'dot-online'}` }), h('span', { class: 'presence-text' }, away ? t('presence.away') : t('presence.online')));
    presenceBtn.title = away ? t('topbar.awayTitle') : t('topbar.onlineTitle');
    presenceBtn.setAttribute('aria-label', presenceBtn.title);
    fill(soundBtn, icon(prefs.sound ? 'sound' : 'mute'));
    soundBtn.title = prefs.sound ? t('topbar.soundOn') : t('topbar.soundOff');
    soundBtn.setAttribute('aria-pressed', String(prefs.sound));
    soundBtn.setAttribute('aria-label', soundBtn.title);
    const d = desktopState();
    fill(desktopBtn, icon('bell', d === 'on' ? '' : 'icon-off'));
    desktopBtn.title = t(`topbar.desktop.${d}`);
    desktopBtn.setAttribute('aria-pressed', String(d === 'on'));
    desktopBtn.setAttribute('aria-label', desktopBtn.title);
    const p = pushState();
    fill(pushBtn, icon('phone', p === 'on' ? '' : 'icon-off'));
    pushBtn.title = t(`topbar.push.${p}`);
    pushBtn.setAttribute('aria-pressed', String(p === 'on'));
    pushBtn.setAttribute('aria-label', pushBtn.title);
  }

  render();
  renderConn();
  return {
    el,
    setActive(name) {
      inboxLink.classList.toggle('active', name !== 'admin');
      adminLink.classList.toggle('active', name === 'admin');
    },
    update(topics) {
      if (topics.has('conn')) renderConn();
      render();
    },
  };
}
