// @ts-check
// The logged-in console: top bar plus the routed page (inbox/conversation, admin or
// the agent's profile).

import { state, subscribe } from '../state.js';
import { h, fill } from '../dom.js';
import { currentRoute, go } from '../router.js';
import { updateTitle } from '../notify.js';
import { mountTopbar } from './topbar.js';
import { createWorkspace } from './workspace.js';
import { mountAdmin } from './admin.js';
import { profilePage } from './profile.js';

export function mountShell(root, { onLogout }) {
  const topbar = mountTopbar({ onLogout });
  const main = h('div', { class: 'main' });
  fill(root, h('div', { class: 'app' }, topbar.el, main));
  const workspace = createWorkspace();
  let admin = null;
  let showing = null;

  function route() {
    const r = currentRoute();
    if (r.name === 'profile') {
      if (showing !== 'profile') { workspace.show({ name: 'inbox', tab: 'mine' }); fill(main, profilePage().el); showing = 'profile'; }
    } else if (r.name === 'admin') {
      if (state.me && state.me.admin === false) { go('#/inbox/mine'); return; }
      if (!admin) admin = mountAdmin();
      if (showing !== 'admin') { workspace.show({ name: 'inbox', tab: 'mine' }); fill(main, admin.el); showing = 'admin'; }
      admin.show(r.page);
    } else {
      if (showing !== 'workspace') { fill(main, workspace.el); showing = 'workspace'; }
      workspace.show(r);
    }
    topbar.setActive(r.name);
    main.dataset.route = r.name;
  }

  window.addEventListener('hashchange', route);
  subscribe((topics) => {
    topbar.update(topics);
    if (showing === 'workspace') workspace.update(topics);
    if (showing === 'admin' && admin) admin.update(topics);
    if (topics.has('me') && currentRoute().name === 'admin') route();
    updateTitle();
  });
  route();
  updateTitle();
}
