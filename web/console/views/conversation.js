// @ts-check
// One conversation: header with its state and actions (claim, take over, transfer,
// close, reopen), its labels, the messages, who is typing, the composer and the visitor panel.

import { state, thread } from '../state.js';
import { h, fill, icon } from '../dom.js';
import { visitorLabel, duration } from '../format.js';
import { visitorAvatar } from './visitor-avatar.js';
import { view, markRead, claim, closeConversation, reopen, transfer } from '../live.js';
import { inboxTab } from '../router.js';
import { createMessageList } from './messages.js';
import { createComposer } from './composer.js';
import { createVisitorPanel } from './visitor.js';
import { createLabelChips } from './label-chips.js';
import { t, listOf } from '../i18n.js';

function agentName(agentId) {
  if (state.me && agentId === state.me.id) return t('conv.you');
  const a = state.agents.get(agentId);
  return a ? a.name : t('conv.agentNumbered', { id: agentId });
}

export function mountConversation(id) {
  const held = thread(id);
  view(id);
  const title = h('div', { class: 'conv-title' });
  const actions = h('div', { class: 'conv-actions' });
  const infoBtn = h('button', { class: 'icon-btn info-btn', type: 'button', 'aria-label': t('conv.visitorDetails'), title: t('conv.visitorDetails'), onclick: () => el.classList.toggle('show-visitor') }, icon('info'));
  const head = h('header', { class: 'conv-head' },
    h('a', { class: 'icon-btn back', href: `#/inbox/${inboxTab()}`, 'aria-label': t('conv.back') }, icon('back')),
    title, actions, infoBtn);
  const notice = h('div', { class: 'conv-notice', hidden: true });
  const typingLine = h('div', { class: 'typing-line', 'aria-live': 'polite' });
  let readTimer = null;
  const scheduleRead = () => {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (document.visibilityState === 'visible' && document.hasFocus() && messages.atBottom()) markRead(id);
    }, 150);
  };
  const messages = createMessageList(id, { onNearBottom: scheduleRead });
  const composer = createComposer(id);
  const labelChips = createLabelChips(id);
  const panel = createVisitorPanel(id, { onClose: () => el.classList.remove('show-visitor') });
  const el = h('section', { class: 'conv', 'aria-label': t('conv.conversation') },
    head,
    labelChips.el,
    h('div', { class: 'conv-body' },
      h('div', { class: 'conv-main' }, messages.el, typingLine, notice, composer.el),
      panel.el));

  const onFocus = () => scheduleRead();
  window.addEventListener('focus', onFocus);
  document.addEventListener('visibilitychange', onFocus);
  // A click elsewhere closes the transfer menu; Escape closes menu and visitor drawer.
  const onClick = (e) => {
    for (const menu of el.querySelectorAll('details.menu[open]')) if (!menu.contains(e.target)) menu.removeAttribute('open');
  };
  const onKey = (e) => {
    if (e.key !== 'Escape') return;
    for (const menu of el.querySelectorAll('details.menu[open]')) menu.removeAttribute('open');
    el.classList.remove('show-visitor');
  };
  document.addEventListener('click', onClick);
  document.addEventListener('keydown', onKey);

  function transferMenu(conv) {
    const colleagues = [...state.agents.values()].filter((a) => a.id !== conv.agent && (!state.me || a.id !== state.me.id || conv.agent !== state.me.id));
    const details = h('details', { class: 'menu' });
    const close = () => details.removeAttribute('open');
    const items = colleagues.length ? colleagues.sort((a, b) => a.name.localeCompare(b.name)).map((a) => {
      const online = a.presence === 'online';
      const label = state.me && a.id === state.me.id ? t('conv.nameYou', { name: a.name }) : a.name;
      return h('li', null, h('button', {
        type: 'button', class: 'menu-item', disabled: !online,
        title: online ? t('conv.giveTo', { name: a.name }) : t(`conv.is.${a.presence}`, { name: a.name }),
        onclick: () => { close(); transfer(id, a.id); },
      }, h('span', { class: `dot dot-${a.presence}` }), h('span', { class: 'menu-label' }, label), h('span', { class: 'muted small' }, online ? t('conv.load', { open: a.open, capacity: a.capacity }) : t(`presence.${a.presence}`))));
    }) : [h('li', { class: 'menu-empty' }, t('conv.noColleagues'))];
    details.append(h('summary', { class: 'btn btn-ghost' }, t('conv.transfer'), icon('down')), h('ul', { class: 'menu-list' }, items));
    return details;
  }

  function renderHead() {
    const conv = state.convs.get(id);
    if (!conv) {
      const status = held.loaded ? t('conv.noSuch') : state.conn.phase === 'online' ? t('common.loading') : t('conv.waitingConnection');
      fill(title, h('div', null, h('div', { class: 'conv-name' }, t('conv.numbered', { id })), h('div', { class: 'conv-sub muted' }, status)));
      fill(actions);
      return;
    }
    const name = visitorLabel(conv);
    let status;
    if (conv.status === 'queued') {
      const waited = t('inbox.waiting', { time: duration(Date.now() - conv.created_ms) });
      status = h('span', { class: 'chip chip-wait' }, conv.queue_position ? t('conv.inQueue', { waited, n: conv.queue_position }) : waited);
    } else if (conv.status === 'bot') status = h('span', { class: 'chip chip-bot' }, t('conv.botAnswering'));
    else if (conv.status === 'assigned') status = h('span', { class: `chip ${conv.agent === state.me?.id ? 'chip-mine' : ''}` }, conv.agent === state.me?.id ? t('conv.assignedToYou') : t('conv.assignedTo', { name: agentName(conv.agent) }));
    else status = h('span', { class: 'chip chip-closed' }, t('status.closed'));
    fill(title,
      visitorAvatar(conv, name),
      h('div', { class: 'conv-title-text' }, h('h1', { class: 'conv-name' }, name), h('div', { class: 'conv-sub' }, status, h('span', { class: 'muted' }, ` #${conv.id}`))));
    const mine = state.me && conv.agent === state.me.id;
    const buttons = [];
    if (conv.status === 'queued' || conv.status === 'bot') buttons.push(h('button', { class: 'btn btn-primary head-claim', type: 'button', onclick: () => claim(id) }, t('conv.claim')));
    if (conv.status === 'assigned' && !mine) {
      const away = state.presence !== 'online';
      buttons.push(h('button', {
        class: 'btn btn-ghost', type: 'button', disabled: away,
        title: away ? t('conv.takeOverAway') : t('conv.takeOverTitle'),
        onclick: () => state.me && transfer(id, state.me.id),
      }, t('conv.takeOver')));
    }
    if (conv.status !== 'closed') {
      buttons.push(transferMenu(conv));
      buttons.push(h('button', { class: 'btn btn-ghost head-close', type: 'button', onclick: () => closeConversation(id) }, t('conv.close')));
    } else {
      buttons.push(h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => reopen(id) }, t('conv.reopen')));
    }
    // Keep an open transfer menu open across redraws, and keep the very same buttons when
    // nothing about them changed: replacing a button between the press and the release of
    // a click (a colleague's presence update arriving then) would swallow the click.
    const next = h('div', null, buttons);
    if (actions.querySelector('details[open]')) next.querySelector('details')?.setAttribute('open', '');
    if (next.innerHTML !== actions.innerHTML) fill(actions, [...next.childNodes]);
  }

  function renderNotice() {
    const conv = state.convs.get(id);
    notice.hidden = true;
    if (!conv) return;
    let content = null;
    if (conv.status === 'queued') {
      content = [h('span', null, t('conv.noticeQueued')), h('button', { class: 'btn btn-primary btn-small', type: 'button', onclick: () => claim(id) }, t('conv.claimChat'))];
    } else if (conv.status === 'bot') {
      content = [h('span', null, t('conv.noticeBot')), h('button', { class: 'btn btn-primary btn-small', type: 'button', onclick: () => claim(id) }, t('conv.claimChat'))];
    } else if (conv.status === 'assigned' && state.me && conv.agent !== state.me.id) {
      content = [h('span', null, t('conv.noticeOthers', { name: agentName(conv.agent) }))];
    } else if (conv.status === 'closed') {
      content = [h('span', null, t('conv.noticeClosed')), h('button', { class: 'btn btn-ghost btn-small', type: 'button', onclick: () => reopen(id) }, t('conv.reopen'))];
    }
    if (content) { fill(notice, content); notice.hidden = false; }
  }

  function renderTyping() {
    const now = Date.now();
    const label = (a) => (a.kind === 'visitor' ? visitorLabel(state.convs.get(id)) : a.kind === 'bot' ? t('inbox.bot') : a.name || t('conv.colleague'));
    const who = [...held.typing.values()].filter((x) => x.until > now).map((x) => label(x.author));
    fill(typingLine, who.length ? [h('span', { class: 'typing-dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), t('conv.typing', { names: listOf(who), n: who.length })] : []);
  }
  const typingTimer = setInterval(renderTyping, 3000);

  function renderAll() {
    renderHead();
    labelChips.render();
    renderNotice();
    messages.render();
    renderTyping();
    composer.render();
    panel.render();
  }

  renderAll();
  setTimeout(() => composer.focus(), 0);

  return {
    id,
    el,
    update(topics) {
      const mineChanged = topics.has(`thread:${id}`);
      if (mineChanged || topics.has('convs') || topics.has('agents') || topics.has('conn') || topics.has('me')) {
        renderHead();
        renderNotice();
        composer.render();
      }
      if (topics.has('convs') || topics.has('labels')) labelChips.render();
      if (mineChanged || topics.has('conn') || topics.has('faq') || topics.has('agents')) { messages.render(); renderTyping(); }
      if (mineChanged || topics.has('convs')) panel.render();
    },
    destroy() {
      clearInterval(typingTimer);
      clearTimeout(readTimer);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKey);
      messages.destroy();
      composer.destroy();
      panel.destroy();
      view(null);
    },
  };
}
