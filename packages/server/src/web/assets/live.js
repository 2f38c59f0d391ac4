// Vigil TS status page: live updates, keyboard-friendly tooltips. The page works without this file.
(() => {
  const root = document.documentElement;
  /** Fetch the page at most this often, however fast versions arrive. */
  const MIN_FETCH_GAP_MS = 800;
  /** Without the stream, ask this often (a 304 when nothing changed). */
  const POLL_MS = 1500;
  /** A stream that says nothing this long after opening is being buffered by a proxy. */
  const FIRST_MESSAGE_TIMEOUT_MS = 10000;

  const pageUrl = () => location.href.split('#')[0];
  // Vigil's page exposed its status this way; custom_html scripts may read it.
  window.STATUS_GENERAL = root.dataset.status;

  // --- Live updates: the server says which version is current, we fetch the page when it differs.

  /** The newest version the stream announced; null while polling. */
  let latestVersion = null;
  let lastFetchAt = 0;
  let fetchTimer = null;
  let fetching = false;

  function swap(next) {
    const active = document.activeElement?.id;
    const previousStatus = root.dataset.status;
    for (const selector of ['aside.banner', 'main']) {
      const current = document.querySelector(selector);
      const replacement = next.querySelector(selector);
      if (current && replacement) current.replaceWith(document.adoptNode(replacement));
    }
    root.dataset.version = next.documentElement.dataset.version;
    root.dataset.status = next.documentElement.dataset.status;
    window.STATUS_GENERAL = root.dataset.status;
    document.title = next.title;
    if (root.dataset.status !== previousStatus) {
      const live = document.getElementById('live-status');
      const headline = document.getElementById('banner-title');
      if (live && headline) live.textContent = headline.textContent;
    }
    setUpReplicaLists();
    const focused = active ? document.getElementById(active) : null;
    if (focused) {
      if (focused.classList.contains('replica-box')) rove(focused);
      focused.focus({ preventScroll: true });
    }
  }

  async function refresh() {
    if (fetching) return;
    fetching = true;
    lastFetchAt = Date.now();
    try {
      const response = await fetch(pageUrl(), {
        cache: 'no-store',
        headers: { 'If-None-Match': `"${root.dataset.version}"` },
      });
      if (response.status === 200) {
        swap(new DOMParser().parseFromString(await response.text(), 'text/html'));
      }
    } catch {
      // Offline or restarting: the next version message or poll tries again.
    } finally {
      fetching = false;
    }
    // A change announced while the fetch was under way.
    if (latestVersion !== null && latestVersion !== root.dataset.version) scheduleRefresh();
  }

  function scheduleRefresh() {
    if (fetchTimer !== null) return;
    const wait = Math.max(0, lastFetchAt + MIN_FETCH_GAP_MS - Date.now());
    fetchTimer = setTimeout(() => {
      fetchTimer = null;
      refresh();
    }, wait);
  }

  function poll() {
    setInterval(() => {
      if (!document.hidden) scheduleRefresh();
    }, POLL_MS);
  }

  function listen() {
    if (!('EventSource' in window)) return poll();
    const source = new EventSource('status/live');
    let heard = false;
    const giveUp = () => {
      source.close();
      poll();
    };
    const silence = setTimeout(() => {
      if (!heard) giveUp();
    }, FIRST_MESSAGE_TIMEOUT_MS);
    source.addEventListener('version', (event) => {
      heard = true;
      latestVersion = event.data;
      if (latestVersion !== root.dataset.version) scheduleRefresh();
    });
    // CLOSED means the server refused the stream (e.g. too many clients); otherwise it reconnects itself.
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(silence);
        giveUp();
      }
    });
  }

  // --- Tooltips: Escape hides the open one (WCAG 1.4.13); they flip inward at the screen edges.

  /** A replica, or a node's history bar: the elements whose tooltip opens on hover or focus. */
  function tipHolderOf(target) {
    return target instanceof Element ? target.closest('.replica, .history-days') : null;
  }

  function place(holder) {
    holder.classList.remove('tip-start', 'tip-end', 'tip-dismissed');
    const tip = holder.querySelector('.tip');
    if (!tip) return;
    const box = tip.getBoundingClientRect();
    if (box.left < 4) holder.classList.add('tip-start');
    else if (box.right > root.clientWidth - 4) holder.classList.add('tip-end');
  }

  document.addEventListener('mouseover', (event) => {
    const holder = tipHolderOf(event.target);
    if (holder && !holder.contains(event.relatedTarget)) place(holder);
  });
  document.addEventListener('focusin', (event) => {
    const holder = tipHolderOf(event.target);
    if (holder) place(holder);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      const open = '.replica:hover, .replica:focus-within, .history-days:focus-within';
      for (const holder of document.querySelectorAll(open)) holder.classList.add('tip-dismissed');
      return;
    }
    moveWithinList(event);
  });

  // --- One tab stop per node: arrow keys move between its replicas (roving tabindex).

  const MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

  function setUpReplicaLists() {
    for (const first of document.querySelectorAll('.replicas > .replica:first-child > .replica-box'))
      rove(first);
  }

  /** Makes `box` the one tab stop of its list. */
  function rove(box) {
    for (const each of box.closest('.replicas').querySelectorAll('.replica-box')) {
      each.tabIndex = each === box ? 0 : -1;
    }
  }

  function moveWithinList(event) {
    const box = event.target instanceof Element ? event.target.closest('.replica-box') : null;
    const list = box?.closest('.replicas');
    if (!box || !list) return;
    const boxes = [...list.querySelectorAll('.replica-box')];
    const index = boxes.indexOf(box);
    let next;
    if (event.key in MOVES) next = boxes[Math.min(boxes.length - 1, Math.max(0, index + MOVES[event.key]))];
    else if (event.key === 'Home') next = boxes[0];
    else if (event.key === 'End') next = boxes[boxes.length - 1];
    if (!next || next === box) return;
    event.preventDefault();
    rove(next);
    next.focus();
  }

  setUpReplicaLists();
  listen();
})();
