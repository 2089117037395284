// @ts-check
// Admin → Reports: how the shop did over a period (GET /api/v1/reports, docs/API.md
// "Reports"): conversations per day by kind, response and resolution times, bot
// deflection, agents, the FAQ entries that answered, the questions the bot could not
// answer, ratings and the busiest hours. Admins only, like the API. Charts are SVG
// (charts.js) and every one has its numbers as a table too; each table downloads as CSV.

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { t } from '../i18n.js';
import { duration } from '../format.js';
import { stackedBars, heatMap, meter, top } from '../charts.js';

const SERIES = [
  { key: 'bot_only', cls: 'chart-bot' },
  { key: 'handed_off', cls: 'chart-handoff' },
  { key: 'agent', cls: 'chart-agent' },
];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `YYYY-MM-DD` of a Date in the browser's zone. Pure. */
export function isoDay(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The query of a period: the last `days` days up to `today`, or the custom days. Pure. */
export function reportQuery(range, from, until, site, today = new Date()) {
  const query = new URLSearchParams();
  if (range === 'custom') {
    if (from) query.set('from', from);
    if (until) query.set('until', until);
  } else {
    const first = new Date(today);
    first.setDate(first.getDate() - (Number(range) - 1));
    query.set('from', isoDay(first));
    query.set('until', isoDay(today));
  }
  if (site.trim()) query.set('site', site.trim());
  return query.toString();
}

/** A duration for people: seconds under a minute, else the console's wording. */
function time(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms < 60000 ? t('reports.seconds', { n: Math.round(ms / 1000) }) : duration(ms);
}

function table(headers, rows) {
  return h('table', { class: 'report-table' },
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c))))));
}

export function reportsPage() {
  const range = h('select', { id: 'reports-range' },
    ['7', '30', '90', 'custom'].map((v) => h('option', { value: v, selected: v === '30' }, t(`reports.range.${v}`))));
  const from = h('input', { type: 'date', id: 'reports-from', hidden: true, 'aria-label': t('reports.from') });
  const until = h('input', { type: 'date', id: 'reports-until', hidden: true, 'aria-label': t('reports.until') });
  const site = h('input', { type: 'text', id: 'reports-site', placeholder: t('reports.allSites'), maxlength: '64' });
  const show = h('button', { class: 'btn btn-primary', type: 'submit' }, t('reports.show'));
  const body = h('div', { class: 'report', 'aria-live': 'polite' });
  let query = '';

  const csv = (name) => h('a', { class: 'small', href: `/api/v1/reports?${query}&format=csv&table=${name}`, download: `deskbell-${name}.csv` },
    t('reports.csv'));
  const section = (name, title, ...content) => h('section', { class: 'report-section', id: `report-${name}` },
    h('h2', null, title, ' ', csv(name)), content);

  function render(r) {
    const names = SERIES.map((s) => t(`reports.kind.${s.key}`));
    const series = SERIES.map((s, i) => ({ cls: s.cls, name: names[i] }));
    const days = r.per_day.map((d) => ({ label: d.day, values: SERIES.map((s) => d[s.key]) }));
    const share = `${Math.round(r.deflection.share * 1000) / 10} %`;
    const weekdays = WEEKDAYS.map((d) => t(`reports.weekday.${d}`));
    const busiest = r.busiest_hours.flatMap((row, d) => row.map((n, hour) => ({ d, hour, n }))).filter((c) => c.n)
      .sort((a, b) => b.n - a.n).slice(0, 5);
    const most = (rows, key) => top(rows.map((x) => x[key]));
    fill(body,
      section('summary', t('reports.summary'), table([t('reports.figure'), t('reports.value')], [
        [t('reports.conversations'), r.totals.conversations],
        [t('reports.deflection'), t('reports.deflectionValue', { share, n: r.deflection.resolved_by_bot, of: r.deflection.conversations })],
        [t('reports.firstResponse'), t('reports.medianP90', { median: time(r.first_response.median_ms), p90: time(r.first_response.p90_ms), n: r.first_response.count })],
        [t('reports.resolution'), t('reports.medianP90', { median: time(r.resolution.median_ms), p90: time(r.resolution.p90_ms), n: r.resolution.count })],
        [t('reports.csat'), r.csat.ratings ? t('reports.csatValue', { average: r.csat.average.toFixed(2), n: r.csat.ratings }) : t('reports.noRatings')],
      ])),
      section('days', t('reports.perDay'),
        stackedBars(days, series, t('reports.perDayLabel', { n: r.totals.conversations, bot: r.totals.bot_only, handoff: r.totals.handed_off, agent: r.totals.agent })),
        h('p', { class: 'chart-legend small' }, SERIES.map((s, i) => h('span', null, h('i', { class: `swatch ${s.cls}` }), names[i]))),
        h('details', null, h('summary', null, t('reports.asTable')),
          table([t('reports.day'), ...names], r.per_day.map((d) => [d.day, ...SERIES.map((s) => d[s.key])])))),
      section('agents', t('reports.agents'), r.agents.length
        ? table([t('reports.agent'), t('reports.conversations'), t('reports.replies')],
          r.agents.map((a) => [a.name || `#${a.agent}`, h('span', null, meter(a.conversations, most(r.agents, 'conversations')), ` ${a.conversations}`), a.replies]))
        : h('p', { class: 'muted' }, t('reports.none'))),
      section('faq', t('reports.faq'), r.faq.length
        ? table([t('reports.question'), t('reports.answers')],
          r.faq.map((f) => [f.question || `#${f.faq_id}`, h('span', null, meter(f.answers, most(r.faq, 'answers')), ` ${f.answers}`)]))
        : h('p', { class: 'muted' }, t('reports.none'))),
      section('unanswered', t('reports.unanswered'), h('p', { class: 'muted small' }, t('reports.unansweredIntro')), r.unanswered.length
        ? table([t('reports.question'), t('reports.times')],
          r.unanswered.map((q) => [q.question, h('span', null, meter(q.count, most(r.unanswered, 'count')), ` ${q.count}`)]))
        : h('p', { class: 'muted' }, t('reports.none'))),
      section('csat', t('reports.csat'), r.csat.ratings
        ? table([t('reports.rating'), t('reports.conversations')], r.csat.distribution.map((n, i) => [String(i + 1), n]))
        : h('p', { class: 'muted' }, t('reports.noRatings'))),
      section('hours', t('reports.hours'),
        heatMap(r.busiest_hours, weekdays, t('reports.hoursLabel', {
          busiest: busiest.map((c) => `${weekdays[c.d]} ${String(c.hour).padStart(2, '0')}:00 (${c.n})`).join(', ') || t('reports.noMessages'),
        })),
        h('p', { class: 'muted small' }, t('reports.hoursIntro', { zone: r.period.time_zone })),
        h('details', null, h('summary', null, t('reports.asTable')),
          table([t('reports.weekday'), ...Array.from({ length: 24 }, (_, i) => String(i))],
            r.busiest_hours.map((row, d) => [weekdays[d], ...row])))));
  }

  async function load() {
    query = reportQuery(range.value, from.value, until.value, site.value);
    show.disabled = true;
    fill(body, h('p', { class: 'muted' }, t('common.loading')));
    try {
      render(await api.get(`/api/v1/reports?${query}`));
    } catch (e) {
      fill(body);
      toast(e.message, 'error');
    }
    show.disabled = false;
  }

  range.addEventListener('change', () => {
    const custom = range.value === 'custom';
    from.hidden = !custom;
    until.hidden = !custom;
    if (!custom) load();
  });
  const form = h('form', { class: 'report-period', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('label', { for: 'reports-range' }, t('reports.period')), range,
    from, until,
    h('label', { for: 'reports-site' }, t('reports.site')), site, show);
  load();
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.reports')),
      h('p', { class: 'muted' }, t('reports.intro')),
      form, body),
    update() {},
  };
}
