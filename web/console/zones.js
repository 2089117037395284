// @ts-check
// Time zones for the shop's business hours: the IANA names this browser knows, the
// browser's own zone, and a zone's current offset as "UTC+1". Pure apart from Intl.

/** The browser's IANA time zone ("Europe/London"), or "UTC" when it cannot say. */
export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every IANA zone name the browser knows, sorted, always with UTC and `extra` in it. */
export function timeZoneNames(...extra) {
  let names = [];
  try {
    // Not in the type library the console is checked against (ES2020), but in every
    // browser since 2022.
    names = /** @type {any} */ (Intl).supportedValuesOf('timeZone');
  } catch {
    names = [];
  }
  const all = new Set([...names, 'UTC', ...extra.filter(Boolean)]);
  return [...all].sort();
}

/** "UTC+1", "UTC-3:30": the zone's offset at `at` (ms), or '' when the browser cannot say. */
export function zoneOffsetLabel(zone, at = Date.now()) {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at);
    const name = parts.find((p) => p.type === 'timeZoneName');
    return name ? name.value.replace(/^GMT/, 'UTC').replace(/^UTC$/, 'UTC+0') : '';
  } catch {
    return '';
  }
}
