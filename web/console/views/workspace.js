// @ts-check
// The inbox and the open conversation side by side (one at a time on a phone).

import { state, inTab, unread } from '../state.js';
import { h, fill, icon } from '../dom.js';
import { view } from '../live.js';
import { mountInbox } from './inbox.js';
import { mountConversation } from './conversation.js';
import { t } from '../i18n.js';

function placeholder() {
  const convs = [...state.convs.values()];
  const queued = convs.filter((c) => inTab(c, 'queue')).length;
  const mine = convs.filter((c) => inTab(c, 'mine'));
  const unreadMine = mine.reduce((n, c) => n + unread(c).count, 0);
  const lines = [];
  lines.push(queued ? t('workspace.queued', { n: queued }) : t('workspace.nobodyQueued'));
  if (!mine.length) lines.push(t('workspace.noneMine'));
  else if (!unreadMine) lines.push(t('workspace.mine', { n: mine.length }));
  else lines.push(t('workspace.mineUnread', { chats: t('workspace.mine', { n: mine.length }), n: unreadMine }));
  return h('div', { class: 'placeholder' },
    icon('inbox', 'placeholder-icon'),
    h('h2', null, t('workspace.pick')),
    lines.map((l) => h('p', { class: 'muted' }, l)),
    state.presence === 'away' ? h('p', { class: 'muted small' }, t('workspace.away')) : null);
}

export function createWorkspace() {
  const inbox = mountInbox();
  const pane = h('div', { class: 'pane' });
  const el = h('div', { class: 'workspace' }, inbox.el, pane);
  let conv = null;

  function showPlaceholder() {
    fill(pane, placeholder());
  }

  return {
    el,
    show(route) {
      if (route.name === 'conv') {
        if (!conv || conv.id !== route.id) {
          if (conv) conv.destroy();
          conv = mountConversation(route.id);
          fill(pane, conv.el);
        }
        inbox.setSelected(route.id);
        el.classList.add('has-conv');
      } else {
        if (conv) { conv.destroy(); conv = null; }
        view(null);
        inbox.setTab(route.tab);
        inbox.setSelected(null);
        el.classList.remove('has-conv');
        showPlaceholder();
      }
    },
    /** Called with the tab to show in the list next to a conversation. */
    setTab(tab) { inbox.setTab(tab); },
    update(topics) {
      inbox.update(topics);
      if (conv) conv.update(topics);
      else if (topics.has('convs') || topics.has('agents')) showPlaceholder();
    },
    destroy() { if (conv) conv.destroy(); conv = null; },
  };
}
