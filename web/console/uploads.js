// @ts-check
// Uploading one file for a message (docs/API.md, "Attachments"): an XMLHttpRequest, so
// the composer can show the upload's progress. The session cookie authenticates; the
// server reads the type from the bytes. Refusals read in the console's language.

import { t, errorText } from './i18n.js';

/**
 * Starts uploading `file`; `onProgress` gets the fraction sent (0–1).
 * @param {File} file
 * @param {(fraction: number) => void} onProgress
 * @returns {{ done: Promise<{upload: string, name: string, size: number, content_type: string, inline: boolean}>, abort: () => void }}
 */
export function uploadFile(file, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    xhr.open('POST', `/api/uploads?name=${encodeURIComponent(file.name || 'file')}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201 && data) resolve(data);
      else reject(new Error(errorText(data && data.code, (data && data.message) || t('api.status', { status: xhr.status }))));
    };
    xhr.onerror = () => reject(new Error(t('api.unreachable')));
    xhr.onabort = () => reject(new Error(t('files.cancelled')));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
