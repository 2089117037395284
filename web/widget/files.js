// @ts-check
// files.js: photos and files from the visitor. The paperclip (or a paste into the message
// box) fills a tray; its Send shrinks photos to at most 2048 px in the browser (unless
// "Send original" is ticked), uploads each file with progress (POST /api/uploads), then
// posts one message naming the uploads. chat.js keeps that message in its outbox like any
// other, so a resend after a reconnect keeps its client id and is stored once. Uploaded
// files are shown as thumbnails or cards by messages.js. The Chat methods for files
// (upload) lives here too; chat.js's post queues the message.

var MAX_SIDE = 2048;
var MAX_FILES = 10;

/** A JPEG, PNG or WebP photo larger than MAX_SIDE, redrawn to fit (same type); any other
 * file, or a photo the browser cannot read, as it is. */
function shrink(file) {
  if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
  return createImageBitmap(file).then(function (img) {
    var scale = MAX_SIDE / Math.max(img.width, img.height);
    if (scale >= 1) return file;
    var canvas = document.createElement('canvas');
    canvas.width = Math.round(img.width * scale);
    canvas.height = Math.round(img.height * scale);
    canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
    return new Promise(function (ok) {
      canvas.toBlob(function (blob) {
        ok(blob ? new File([blob], file.name, { type: file.type }) : file);
      }, file.type, 0.85);
    });
  }).catch(function () { return file; });
}

/** "1.2 MB", "340 kB", "12 B". */
function fileSize(n) {
  return n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : n >= 1e3 ? Math.round(n / 1e3) + ' kB' : n + ' B';
}

/** Uploads one file (POST /api/uploads with the visitor's token), reporting the share
 * sent to `progress`; resolves to the server's answer, or rejects with its message. */
Chat.prototype.upload = function (file, progress) {
  var token = this.store.get('token');
  var url = this.base + '/api/uploads?name=' + encodeURIComponent(file.name || 'file');
  return new Promise(function (ok, fail) {
    if (!token) return fail(new Error(''));
    var x = new XMLHttpRequest();
    x.open('POST', url);
    x.setRequestHeader('X-Visitor-Token', token);
    x.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    x.upload.onprogress = function (e) { if (e.lengthComputable) progress(e.loaded / e.total); };
    x.onload = function () {
      var a = null;
      try { a = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
      if (x.status === 201 && a) ok(a);
      else fail(new Error((a && a.message) || 'HTTP ' + x.status));
    };
    x.onerror = function () { fail(new Error('')); };
    x.send(file);
  });
};

/** Adds chosen or pasted files to the tray (at most MAX_FILES). */
Widget.prototype.addToTray = function (list) {
  var files = (this.tray.files || []).concat([].slice.call(list || [])).slice(0, MAX_FILES);
  if (!files.length) return;
  this.tray.files = files;
  this.tray.hidden = false;
  this.trayList.textContent = files.map(function (f) { return f.name + ' (' + fileSize(f.size) + ')'; }).join(', ');
  this.trayState.textContent = '';
  this.original.parentNode.hidden = !files.some(function (f) { return /^image\//.test(f.type); });
  this.traySend.disabled = false;
};

Widget.prototype.clearTray = function () {
  this.tray.files = [];
  this.tray.hidden = true;
  this.fileInput.value = '';
};

/** Uploads the tray's files one after the other, then posts them as one message with the
 * typed text as caption. A refusal (too large, a type not taken, a quota) is shown in the
 * tray, which keeps its files for another try. */
Widget.prototype.sendTray = function () {
  var self = this;
  var t = this.t;
  var files = this.tray.files || [];
  var original = this.original.checked;
  var done = [];
  this.traySend.disabled = true;
  var next = function (i) {
    if (i === files.length) {
      self.chat.post(self.textarea.value.trim(), done);
      self.textarea.value = '';
      self.clearTray();
      return;
    }
    (original ? Promise.resolve(files[i]) : shrink(files[i])).then(function (file) {
      return self.chat.upload(file, function (part) {
        self.trayState.textContent = t('uploading', { n: Math.round((i + part) / files.length * 100) });
      });
    }).then(function (up) {
      done.push(up);
      next(i + 1);
    }, function (e) {
      self.trayState.textContent = t('failed', { why: e.message || t('noNet') });
      self.traySend.disabled = false;
    });
  };
  next(0);
};

/** Thumbnails (opening full size) for images and cards (name, size, type) for other files,
 * under a message; a file not stored yet (still sending) has no link. */
Widget.prototype.addFiles = function (el, files) {
  var base = this.chat.base;
  files.forEach(function (f) {
    var a = document.createElement('a');
    a.className = 'file';
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    if (f.id) a.href = base + '/api/files/' + f.id;
    if (f.id && /^image\/(jpeg|png|webp|gif)$/.test(f.content_type)) {
      var img = document.createElement('img');
      img.src = a.href;
      img.alt = f.name;
      img.loading = 'lazy';
      a.appendChild(img);
    } else {
      var name = document.createElement('b');
      name.textContent = f.name;
      a.appendChild(name);
      a.appendChild(document.createTextNode(fileSize(f.size) + ' · ' + (f.name.split('.').pop() || '').toUpperCase()));
    }
    el.appendChild(a);
  });
};
