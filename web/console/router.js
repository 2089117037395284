// Hash routes: #/inbox/TAB, #/c/ID, #/admin/PAGE, #/profile.

export const TABS = ['queue', 'mine', 'open', 'closed'];
export const ADMIN_PAGES = ['agents', 'widget', 'canned', 'labels', 'faq', 'webhooks', 'deliveries', 'keys', 'audit', 'export', 'reports', 'embed', 'identity', 'responder'];

let lastTab = 'mine';

/** The current route: { name: 'inbox', tab } | { name: 'conv', id } | { name: 'admin', page } | { name: 'profile' }. */
export function currentRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'c' && /^\d+$/.test(parts[1] || '')) return { name: 'conv', id: Number(parts[1]) };
  if (parts[0] === 'profile') return { name: 'profile' };
  if (parts[0] === 'admin') return { name: 'admin', page: ADMIN_PAGES.includes(parts[1]) ? parts[1] : 'agents' };
  if (parts[0] === 'inbox' && TABS.includes(parts[1])) lastTab = parts[1];
  return { name: 'inbox', tab: lastTab };
}

/** The inbox tab last shown (where "back" goes). */
export function inboxTab() {
  return lastTab;
}

export function go(hash) {
  if (location.hash !== hash) location.hash = hash;
}
