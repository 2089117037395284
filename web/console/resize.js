// @ts-check
// Shrinking photos before they are uploaded (issue #13): an image longer than
// MAX_SIDE px on a side is drawn at that size (the browser applies its EXIF orientation)
// and encoded again, so a 12 MB phone photo does not crawl over a weak connection; the
// copy carries no metadata either. GIFs (animations), small images and other files are
// sent as they are.

/** The longest side of a shrunk image, in pixels. */
export const MAX_SIDE = 2048;

const SHRUNK = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * `file`, or a smaller copy of it.
 * @param {File} file
 * @returns {Promise<File>}
 */
export async function shrink(file) {
  if (!SHRUNK.has(file.type)) return file;
  let bitmap;
  try { bitmap = await createImageBitmap(file); } catch { return file; }
  const scale = MAX_SIDE / Math.max(bitmap.width, bitmap.height);
  if (scale >= 1) { bitmap.close(); return file; }
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d');
  if (!context) { bitmap.close(); return file; }
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  // PNG stays PNG (screenshots, transparency); photos become JPEG.
  const type = file.type === 'image/png' ? 'image/png' : 'image/jpeg';
  /** @type {Blob | null} */
  const blob = await new Promise((done) => canvas.toBlob(done, type, 0.85));
  return blob ? new File([blob], file.name, { type }) : file;
}
