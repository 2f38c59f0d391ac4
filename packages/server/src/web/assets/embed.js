// Vigil TS outage banner for other sites: shows a bar while the status page has been dead for a while.
//   <script src="https://status.example.com/embed.js" data-after-minutes="10" async></script>
// Options: data-after-minutes (default 5), data-position="top" | "bottom" (default top).
// The host page's CSP must allow this script (script-src) and the status host (connect-src).
(() => {
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement) || !script.src) return;
  const base = new URL('.', script.src);
  const minutes = Number(script.dataset.afterMinutes ?? 5);
  const thresholdSeconds = Number.isFinite(minutes) && minutes >= 0 ? minutes * 60 : 300;
  const atBottom = script.dataset.position === 'bottom';
  const CHECK_MS = 60000;
  const DISMISSED_KEY = `vigil-banner-dismissed:${base.href}`;

  let host = null;
  let shownSince = null;

  const dismissedOutage = () => {
    try {
      return sessionStorage.getItem(DISMISSED_KEY);
    } catch {
      return null;
    }
  };

  function dismiss(since) {
    try {
      sessionStorage.setItem(DISMISSED_KEY, since);
    } catch {
      // Storage blocked: the banner just comes back on the next page.
    }
    hide();
  }

  /** Built with DOM calls and `element.style`, which host CSPs allow, in a shadow root that host CSS cannot reach. */
  function build(status) {
    const element = (tag, style, text) => {
      const node = document.createElement(tag);
      Object.assign(node.style, style);
      if (text) node.textContent = text;
      return node;
    };
    const bar = element('div', {
      position: 'fixed',
      left: '0',
      right: '0',
      [atBottom ? 'bottom' : 'top']: '0',
      zIndex: '2147483647',
      display: 'flex',
      gap: '12px',
      alignItems: 'center',
      justifyContent: 'center',
      flexWrap: 'wrap',
      padding: '10px 44px 10px 16px',
      background: '#c70000',
      color: '#fff',
      font: '600 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
      boxShadow: '0 2px 10px rgba(0,0,0,.25)',
    });
    bar.setAttribute('role', 'alert');
    bar.append(element('span', {}, `${status.page.title}: ${status.message}`));
    const url = new URL(status.page.url, base);
    if (url.protocol === 'https:' || url.protocol === 'http:') {
      const link = element('a', { color: '#fff', textDecoration: 'underline' }, 'See the status page');
      link.href = url.href;
      link.target = '_blank';
      link.rel = 'noopener';
      bar.append(link);
    }
    const close = element(
      'button',
      {
        position: 'absolute',
        right: '8px',
        top: '50%',
        transform: 'translateY(-50%)',
        border: '0',
        background: 'transparent',
        color: '#fff',
        font: '700 20px/1 system-ui, sans-serif',
        cursor: 'pointer',
        padding: '6px',
      },
      '×',
    );
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => dismiss(status.since));
    bar.append(close);
    const container = document.createElement('div');
    container.attachShadow({ mode: 'open' }).append(bar);
    return container;
  }

  function show(status) {
    // Rebuilt only for a new outage, so screen readers announce it once.
    if (dismissedOutage() === status.since || shownSince === status.since) return;
    hide();
    host = build(status);
    shownSince = status.since;
    document.body.append(host);
  }

  function hide() {
    host?.remove();
    host = null;
    shownSince = null;
  }

  async function check() {
    try {
      const response = await fetch(new URL('embed/status', base), { credentials: 'omit', cache: 'no-store' });
      if (!response.ok) return;
      const status = await response.json();
      if (status.health === 'dead' && status.forSeconds >= thresholdSeconds) show(status);
      else hide();
    } catch {
      // The status page unreachable is no reason to alarm this site's visitors.
    }
  }

  const start = () => {
    check();
    setInterval(check, CHECK_MS);
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
