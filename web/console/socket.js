// @ts-check
// A WebSocket to /ws with the JSON subprotocol that reconnects by itself with jittered
// exponential backoff. What to say after connecting (hello, sync) is live.js's job.

const PROTOCOL = 'deskbell.v1.json';
const MAX_DELAY_MS = 30000;

/**
 * Opens the socket. Callbacks: onOpen(), onFrame(frame), onClose({ code, reason }),
 * onWaiting({ retryAt, attempt }). Returns { send, reconnectSoon, resetBackoff, retryNow, stop }.
 */
export function connectSocket({ onOpen, onFrame, onClose, onWaiting }) {
  let ws = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  function url() {
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  }

  function open() {
    clearTimeout(timer);
    timer = null;
    if (stopped || ws) return;
    let sock;
    try {
      sock = new WebSocket(url(), PROTOCOL);
    } catch {
      schedule();
      return;
    }
    ws = sock;
    sock.onopen = () => onOpen();
    sock.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame && typeof frame === 'object') onFrame(frame);
    };
    sock.onclose = (event) => {
      if (ws !== sock) return;
      ws = null;
      onClose({ code: event.code, reason: event.reason });
      schedule();
    };
  }

  function schedule() {
    if (stopped || timer) return;
    // Full jitter: a random wait up to an exponentially growing cap, so a restarted
    // server is not hit by every console at the same instant.
    const cap = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt);
    const delay = 250 + Math.random() * cap;
    attempt += 1;
    const retryAt = Date.now() + delay;
    timer = setTimeout(open, delay);
    onWaiting({ retryAt, attempt });
  }

  const retryWhenBack = () => { if (!ws && !stopped) { attempt = 0; open(); } };
  window.addEventListener('online', retryWhenBack);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') retryWhenBack();
  });

  open();
  return {
    /** Sends a frame now; false when not connected (the caller keeps it for later). */
    send(frame) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    /** The server accepted us: start the next backoff from the beginning. */
    resetBackoff() { attempt = 0; },
    /** Skips the wait. */
    retryNow() { if (!ws) { clearTimeout(timer); timer = null; open(); } },
    /** Drops the connection (it reconnects). */
    drop() { if (ws) ws.close(4000, 'reconnect'); },
    /** Closes for good (logout). */
    stop() {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener('online', retryWhenBack);
      if (ws) ws.close(1000, 'bye');
      ws = null;
    },
  };
}
