// @ts-check
// The composer's files: a paperclip button, paste and drag-and-drop add files; each
// uploads at once with its progress shown, and can be removed (an upload in progress is
// cancelled). Photos are shrunk to 2048 px first (resize.js) unless "original size" is
// ticked, which uploads them again as they are. A refused file says why (too large, a
// type not accepted, quota reached) and stays until removed; the message can be sent
// once every file is uploaded.

import { h, fill, icon } from '../dom.js';
import { t } from '../i18n.js';
import { uploadFile } from '../uploads.js';
import { shrink } from '../resize.js';
import { fileSize } from './attachments.js';

/** Most files in one message (the server's limit). */
const MAX_FILES = 10;
/** Numbers each upload run, so a late answer of an older run is recognised. */
let runs = 0;

/** A tray of files for one composer; `changed()` is called whenever its state changes. */
export function createFileTray(changed) {
  /** @type {{ file: File, run?: number, progress: number, answer: any, error: string | null, abort: () => void }[]} */
  let items = [];
  const original = h('input', { type: 'checkbox', onchange: () => items.filter((i) => i.file.type.startsWith('image/')).forEach(start) });
  const originalLabel = h('label', { class: 'file-original', hidden: true }, original, t('files.original'));
  const picker = h('input', { type: 'file', multiple: true, hidden: true, class: 'file-picker', onchange: () => { add(picker.files); picker.value = ''; } });
  const button = h('button', { class: 'attach', type: 'button', title: t('files.attach'), 'aria-label': t('files.attach'), onclick: () => picker.click() }, icon('clip'));
  const list = h('ul', { class: 'file-tray', hidden: true });
  const el = h('div', null, picker, list, originalLabel);

  function add(files) {
    for (const file of Array.from(files || [])) {
      if (items.length >= MAX_FILES) break;
      /** @type {typeof items[number]} */
      const item = { file, progress: 0, answer: null, error: null, abort: () => {} };
      items.push(item);
      start(item);
    }
    render();
    changed();
  }

  /** (Re)starts the upload of `item`, shrunk unless "original size" is ticked; what an
   * earlier run of it says afterwards is ignored. */
  function start(item) {
    item.abort();
    const run = ++runs;
    Object.assign(item, { run, progress: 0, answer: null, error: null });
    const current = () => item.run === run && items.includes(item);
    item.abort = () => { item.run = 0; };
    const ready = original.checked ? Promise.resolve(item.file) : shrink(item.file);
    ready.then((file) => {
      if (!current()) return null;
      const started = uploadFile(file, (fraction) => { if (current()) { item.progress = fraction; render(); } });
      item.abort = () => { item.run = 0; started.abort(); };
      return started.done;
    }).then((answer) => { if (answer && current()) item.answer = answer; }, (e) => { if (current()) item.error = e.message; })
      .finally(() => { render(); changed(); });
    render();
    changed();
  }

  function remove(item) {
    item.abort();
    items = items.filter((i) => i !== item);
    render();
    changed();
  }

  function render() {
    fill(list, items.map((item) => {
      const state = item.error ? 'failed' : item.answer ? 'done' : 'uploading';
      const detail = item.error
        ? h('span', { class: 'fail-text' }, item.error)
        : item.answer ? h('span', null, fileSize(item.answer.size))
          : h('progress', { max: 1, value: item.progress, 'aria-label': t('files.uploading', { name: item.file.name }) });
      return h('li', { class: `file-chip file-${state}` },
        icon('file'), h('span', { class: 'file-name' }, item.file.name), detail,
        h('button', { class: 'link-btn', type: 'button', 'aria-label': t('files.remove', { name: item.file.name }), onclick: () => remove(item) }, icon('x')));
    }));
    list.hidden = !items.length;
    originalLabel.hidden = !items.some((i) => i.file.type.startsWith('image/'));
  }

  return {
    el,
    button,
    add,
    /** True while some file is chosen. */
    has: () => items.length > 0,
    /** True when every chosen file is uploaded. */
    ready: () => items.every((i) => i.answer),
    /** The upload answers, in order. */
    answers: () => items.map((i) => i.answer),
    /** Forgets the files (after sending). */
    clear() { items = []; original.checked = false; render(); },
  };
}
