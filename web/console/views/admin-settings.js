// @ts-check
// Admin → Widget: how the chat looks and behaves on the shop's site (GET/PUT /api/settings),
// with the title, greeting and away message per visitor language (`texts`: a visitor
// whose widget speaks that language sees them; an empty one falls back to the default).

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { offsetLabel } from '../format.js';
import { browserTimeZone, timeZoneNames, zoneOffsetLabel } from '../zones.js';
import { field, errorLine, setError, missingNotice, loadSettings } from './forms.js';
import { t } from '../i18n.js';

/** Weekday numbers as the server counts them (0 = Sunday), Monday first. */
const DAYS = [1, 2, 3, 4, 5, 6, 0];
/** The widget's languages, as `texts` keys. */
const TEXT_LANGUAGES = ['en', 'zh'];
const DEFAULTS = {
  title: '', greeting: '', colour: '#2563eb', position: 'right', prechat: false, away_message: '',
  utc_offset_min: 0, time_zone: '', business_hours: [], allowed_origins: [],
};

/**
 * The time-zone picker: every IANA zone, the shop's one selected. Settings without a
 * named zone (saved before there were any) show their fixed offset as the first choice,
 * with a hint to pick the city; settings that never had hours start at the browser's zone.
 */
function timeZonePicker(s) {
  const fixed = !s.time_zone && s.business_hours.length > 0;
  const current = s.time_zone || (fixed ? '' : browserTimeZone());
  // IANA names are identifiers, the same in every language (translate="no").
  const select = h('select', { translate: 'no' }, timeZoneNames(current).map((zone) =>
    h('option', { value: zone, selected: zone === current }, zone.replace(/_/g, ' '))));
  if (fixed) select.prepend(h('option', { value: '', selected: true }, t('settings.fixedOffset', { offset: offsetLabel(s.utc_offset_min) })));
  const now = h('span', { class: 'field-hint zone-now' });
  const show = () => {
    now.textContent = select.value ? t('settings.zoneNow', { offset: zoneOffsetLabel(select.value) }) : t('settings.fixedHint');
  };
  select.addEventListener('change', show);
  show();
  return { select, now };
}

/** The inputs of one language's texts (all empty: the defaults are used). */
function languageTexts(lang, given) {
  const own = given || {};
  const title = h('input', { value: own.title || '', maxlength: 60, placeholder: t('settings.useDefault') });
  const greeting = h('textarea', { rows: 2, value: own.greeting || '', placeholder: t('settings.useDefault') });
  const away = h('textarea', { rows: 2, value: own.away_message || '', placeholder: t('settings.useDefault') });
  const el = h('div', { class: 'language-texts', dataset: { lang } },
    h('h3', null, t(`settings.textsFor.${lang}`)),
    field(t(`settings.local.${lang}.title`), title), field(t(`settings.local.${lang}.greeting`), greeting),
    field(t(`settings.local.${lang}.away`), away));
  return { el, value: () => ({ title: title.value.trim(), greeting: greeting.value.trim(), away_message: away.value.trim() }) };
}

function validOrigin(text) {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === text.replace(/\/$/, '');
  } catch {
    return false;
  }
}

export function settingsPage() {
  const root = h('div', { class: 'admin-page' }, h('h1', null, t('admin.page.widget')), h('p', { class: 'muted' }, t('common.loading')));

  function build(settings, missing) {
    const s = { ...DEFAULTS, ...settings };
    const title = h('input', { value: s.title, maxlength: 60 });
    const greeting = h('textarea', { rows: 2, value: s.greeting });
    const colour = h('input', { type: 'color', value: s.colour });
    const colourText = h('input', { value: s.colour, maxlength: 7, class: 'colour-text', 'aria-label': t('settings.colourText') });
    const left = h('input', { type: 'radio', name: 'position', value: 'left', checked: s.position === 'left' });
    const right = h('input', { type: 'radio', name: 'position', value: 'right', checked: s.position !== 'left' });
    const prechat = h('input', { type: 'checkbox', checked: s.prechat });
    // Its own endpoint (PUT /api/csat): read here, saved with the rest.
    const csat = h('input', { type: 'checkbox', checked: true });
    api.get('/api/csat').then((c) => { csat.checked = Boolean(c && c.ask); }, () => {});
    const away = h('textarea', { rows: 2, value: s.away_message });
    const zone = timeZonePicker(s);
    const always = h('input', { type: 'checkbox', checked: !s.business_hours.length });
    const hours = new Map();
    const hoursRows = DAYS.map((day) => {
      const label = t(`settings.day.${day}`);
      const entry = s.business_hours.find((b) => b.day === day);
      const open = h('input', { type: 'checkbox', checked: Boolean(entry) || !s.business_hours.length && day >= 1 && day <= 5, 'aria-label': t('settings.openOn', { day: label }) });
      const from = h('input', { type: 'time', value: entry ? entry.open : '09:00', 'aria-label': t('settings.opens', { day: label }) });
      const to = h('input', { type: 'time', value: entry ? entry.close : '17:00', 'aria-label': t('settings.closes', { day: label }) });
      hours.set(day, { open, from, to });
      const sync = () => { from.disabled = to.disabled = !open.checked; };
      open.addEventListener('change', sync);
      sync();
      return h('div', { class: 'hours-row' }, h('label', { class: 'check' }, open, label), from, h('span', { class: 'muted' }, t('settings.to')), to);
    });
    const hoursBox = h('div', { class: 'hours', hidden: always.checked }, hoursRows);
    always.addEventListener('change', () => { hoursBox.hidden = always.checked; });
    const origins = h('textarea', { rows: 3, value: s.allowed_origins.join('\n'), placeholder: 'https://shop.example', spellcheck: 'false' });
    const texts = TEXT_LANGUAGES.map((lang) => ({ lang, ...languageTexts(lang, s.texts && s.texts[lang]) }));

    const preview = h('div', { class: 'widget-preview' });
    function renderPreview() {
      const c = /^#[0-9a-f]{6}$/i.test(colourText.value) ? colourText.value : s.colour;
      const head = h('div', { class: 'wp-head' }, title.value || t('settings.previewTitle'));
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
    const save = h('button', { class: 'btn btn-primary', type: 'submit', disabled: missing }, t('common.save'));
    const form = h('form', { class: 'form settings-form', novalidate: true },
      h('fieldset', null, h('legend', null, t('settings.look')),
        h('div', { class: 'settings-split' },
          h('div', null,
            field(t('settings.title'), title, t('settings.defaultHint')), field(t('settings.greeting'), greeting, t('settings.greetingHint')),
            field(t('settings.colour'), h('div', { class: 'colour-row' }, colour, colourText)),
            h('div', { class: 'field' }, h('span', { class: 'field-label' }, t('settings.position')),
              h('div', { class: 'radio-row' }, h('label', { class: 'check' }, left, t('settings.left')), h('label', { class: 'check' }, right, t('settings.right'))))),
          preview)),
      h('fieldset', null, h('legend', null, t('settings.perLanguage')),
        h('p', { class: 'field-hint' }, t('settings.perLanguageHint')),
        h('div', { class: 'settings-languages' }, texts.map((x) => x.el))),
      h('fieldset', null, h('legend', null, t('settings.beforeChat')),
        h('label', { class: 'check' }, prechat, t('settings.prechat'))),
      h('fieldset', null, h('legend', null, t('settings.afterChat')),
        h('label', { class: 'check' }, csat, t('settings.csat'))),
      h('fieldset', null, h('legend', null, t('settings.hours')),
        field(t('settings.timeZone'), zone.select, t('settings.timeZoneHint')), zone.now,
        h('label', { class: 'check' }, always, t('settings.alwaysOpen')),
        hoursBox,
        field(t('settings.away'), away, t('settings.awayHint'))),
      h('fieldset', null, h('legend', null, t('settings.origins')),
        field(t('settings.originsLabel'), origins, t('settings.originsHint'))),
      h('div', { class: 'form-actions' }, error, save));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      setError(error, '');
      const list = origins.value.split('\n').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean);
      const bad = list.find((o) => !validOrigin(o));
      if (bad) return setError(error, t('settings.badOrigin', { origin: bad }));
      if (!/^#[0-9a-f]{6}$/i.test(colourText.value)) return setError(error, t('settings.badColour'));
      const business = always.checked ? [] : DAYS.filter((d) => hours.get(d).open.checked).map((d) => ({ day: d, open: hours.get(d).from.value, close: hours.get(d).to.value }));
      if (!always.checked && !business.length) return setError(error, t('settings.noDays'));
      if (business.some((b) => !b.open || !b.close || b.open >= b.close)) return setError(error, t('settings.badHours'));
      const next = {
        title: title.value.trim(), greeting: greeting.value.trim(), colour: colourText.value.toLowerCase(),
        position: left.checked ? 'left' : 'right', prechat: prechat.checked, away_message: away.value.trim(),
        time_zone: zone.select.value, utc_offset_min: s.utc_offset_min, business_hours: business, allowed_origins: list,
        texts: Object.fromEntries(texts.map((x) => [x.lang, x.value()])),
      };
      save.disabled = true;
      try {
        await api.put('/api/settings', next);
        await api.put('/api/csat', { ask: csat.checked });
        toast(t('settings.saved'), 'ok');
      } catch (err) {
        setError(error, err.message);
      }
      save.disabled = false;
    });

    fill(root, h('h1', null, t('admin.page.widget')),
      h('p', { class: 'muted' }, t('settings.intro')),
      missing ? missingNotice(t('settings.missingWhat')) : null,
      form);
  }

  loadSettings(root, t('admin.page.widget'), '/api/settings', build);

  return { el: root, update() {} };
}
