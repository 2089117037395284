// @ts-check
// Admin → Widget: how the chat looks and behaves on the shop's site (GET/PUT /api/settings).

import { api, ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { offsetLabel } from '../format.js';
import { field, errorLine, setError, missingNotice } from './forms.js';

/** @type {[number, string][]} Weekday numbers as the server counts them (0 = Sunday), names. */
const DAYS = [[1, 'Monday'], [2, 'Tuesday'], [3, 'Wednesday'], [4, 'Thursday'], [5, 'Friday'], [6, 'Saturday'], [0, 'Sunday']];
const OFFSETS = [];
for (let m = -720; m <= 840; m += 60) OFFSETS.push(m);
OFFSETS.push(-570, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765);
OFFSETS.sort((a, b) => a - b);

const DEFAULTS = {
  title: 'Chat with us', greeting: 'Hi! How can we help?', colour: '#2563eb', position: 'right', prechat: false,
  away_message: 'We are away right now. Leave your email and we will answer soon.',
  utc_offset_min: -new Date().getTimezoneOffset(), business_hours: [], allowed_origins: [],
};

function validOrigin(text) {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === text.replace(/\/$/, '');
  } catch {
    return false;
  }
}

export function settingsPage() {
  const root = h('div', { class: 'admin-page' }, h('h1', null, 'Widget'), h('p', { class: 'muted' }, 'Loading…'));

  function build(settings, missing) {
    const s = { ...DEFAULTS, ...settings };
    const title = h('input', { value: s.title, maxlength: 60 });
    const greeting = h('textarea', { rows: 2, value: s.greeting });
    const colour = h('input', { type: 'color', value: s.colour });
    const colourText = h('input', { value: s.colour, maxlength: 7, class: 'colour-text', 'aria-label': 'Colour as #rrggbb' });
    const left = h('input', { type: 'radio', name: 'position', value: 'left', checked: s.position === 'left' });
    const right = h('input', { type: 'radio', name: 'position', value: 'right', checked: s.position !== 'left' });
    const prechat = h('input', { type: 'checkbox', checked: s.prechat });
    const away = h('textarea', { rows: 2, value: s.away_message });
    const offset = h('select', null, OFFSETS.map((m) => h('option', { value: m, selected: m === s.utc_offset_min }, offsetLabel(m))));
    if (!OFFSETS.includes(s.utc_offset_min)) offset.prepend(h('option', { value: s.utc_offset_min, selected: true }, offsetLabel(s.utc_offset_min)));
    const always = h('input', { type: 'checkbox', checked: !s.business_hours.length });
    const hours = new Map();
    const hoursRows = DAYS.map(([day, label]) => {
      const entry = s.business_hours.find((b) => b.day === day);
      const open = h('input', { type: 'checkbox', checked: Boolean(entry) || !s.business_hours.length && day >= 1 && day <= 5, 'aria-label': `Open on ${label}` });
      const from = h('input', { type: 'time', value: entry ? entry.open : '09:00', 'aria-label': `${label} opens` });
      const to = h('input', { type: 'time', value: entry ? entry.close : '17:00', 'aria-label': `${label} closes` });
      hours.set(day, { open, from, to });
      const sync = () => { from.disabled = to.disabled = !open.checked; };
      open.addEventListener('change', sync);
      sync();
      return h('div', { class: 'hours-row' }, h('label', { class: 'check' }, open, label), from, h('span', { class: 'muted' }, 'to'), to);
    });
    const hoursBox = h('div', { class: 'hours', hidden: always.checked }, hoursRows);
    always.addEventListener('change', () => { hoursBox.hidden = always.checked; });
    const origins = h('textarea', { rows: 3, value: s.allowed_origins.join('\n'), placeholder: 'https://shop.example', spellcheck: 'false' });

    const preview = h('div', { class: 'widget-preview' });
    function renderPreview() {
      const c = /^#[0-9a-f]{6}$/i.test(colourText.value) ? colourText.value : s.colour;
      const head = h('div', { class: 'wp-head' }, title.value || 'Chat with us');
      head.style.background = c;
      const bubble = h('div', { class: 'wp-bubble' });
      bubble.style.background = c;
      fill(preview, h('div', { class: `wp-box ${left.checked ? 'wp-left' : ''}` }, head, h('div', { class: 'wp-body' }, h('div', { class: 'wp-msg' }, greeting.value || ' ')), bubble));
    }
    colour.addEventListener('input', () => { colourText.value = colour.value; renderPreview(); });
    colourText.addEventListener('input', () => { if (/^#[0-9a-f]{6}$/i.test(colourText.value)) colour.value = colourText.value; renderPreview(); });
    for (const input of [title, greeting, left, right]) input.addEventListener('input', renderPreview);
    renderPreview();

    const error = errorLine();
    const save = h('button', { class: 'btn btn-primary', type: 'submit', disabled: missing }, 'Save');
    const form = h('form', { class: 'form settings-form', novalidate: true },
      h('fieldset', null, h('legend', null, 'Look'),
        h('div', { class: 'settings-split' },
          h('div', null,
            field('Title', title), field('Greeting', greeting, 'The first thing visitors read.'),
            field('Colour', h('div', { class: 'colour-row' }, colour, colourText)),
            h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'Position'),
              h('div', { class: 'radio-row' }, h('label', { class: 'check' }, left, 'Bottom left'), h('label', { class: 'check' }, right, 'Bottom right')))),
          preview)),
      h('fieldset', null, h('legend', null, 'Before the chat'),
        h('label', { class: 'check' }, prechat, 'Ask for name and email before the chat starts')),
      h('fieldset', null, h('legend', null, 'Opening hours'),
        field('Shop time zone', offset, 'Hours below are in this time zone.'),
        h('label', { class: 'check' }, always, 'Always open'),
        hoursBox,
        field('Away message', away, 'Shown outside opening hours or when nobody is online; visitors can leave their email.')),
      h('fieldset', null, h('legend', null, 'Allowed websites'),
        field('Websites that may show the chat', origins, 'One address per line, like https://shop.example. Leave empty to allow any website.')),
      h('div', { class: 'form-actions' }, error, save));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      setError(error, '');
      const list = origins.value.split('\n').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean);
      const bad = list.find((o) => !validOrigin(o));
      if (bad) return setError(error, `“${bad}” is not a website address like https://shop.example (no path).`);
      if (!/^#[0-9a-f]{6}$/i.test(colourText.value)) return setError(error, 'The colour must look like #2563eb.');
      const business = always.checked ? [] : DAYS.filter(([d]) => hours.get(d).open.checked).map(([d]) => ({ day: d, open: hours.get(d).from.value, close: hours.get(d).to.value }));
      if (!always.checked && !business.length) return setError(error, 'Pick at least one open day, or choose “Always open”.');
      if (business.some((b) => !b.open || !b.close || b.open >= b.close)) return setError(error, 'Each open day needs an opening time before its closing time.');
      const next = {
        title: title.value.trim(), greeting: greeting.value.trim(), colour: colourText.value.toLowerCase(),
        position: left.checked ? 'left' : 'right', prechat: prechat.checked, away_message: away.value.trim(),
        utc_offset_min: Number(offset.value), business_hours: business, allowed_origins: list,
      };
      save.disabled = true;
      try {
        await api.put('/api/settings', next);
        toast('Widget settings saved. Visitors see them on their next page load.', 'ok');
      } catch (err) {
        setError(error, err.message);
      }
      save.disabled = false;
    });

    fill(root, h('h1', null, 'Widget'),
      h('p', { class: 'muted' }, 'How the chat looks and behaves on your shop’s pages.'),
      missing ? missingNotice('Changing widget settings') : null,
      form);
  }

  api.get('/api/settings').then((s) => build(s, false), (e) => {
    if (e instanceof ApiError && e.missing) build({}, true);
    else fill(root, h('h1', null, 'Widget'), h('p', { class: 'form-error' }, e.message));
  });

  return { el: root, update() {} };
}
