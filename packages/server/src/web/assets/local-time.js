// Vigil TS pages: times are written in UTC by the server; this shows them in the reader's time
// zone, keeping the UTC text as the element's title. Without this file they stay in UTC.
(() => {
  const lang = document.documentElement.lang || undefined;
  const clock = { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' };
  const dateTime = new Intl.DateTimeFormat(lang, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...clock,
  });
  const timeOnly = new Intl.DateTimeFormat(lang, clock);
  /** The server writes a time alone (no date) when the day is clear from what precedes it. */
  const TIME_ONLY = /^\d\d:\d\d/;

  function localise() {
    for (const time of document.querySelectorAll('time[datetime]:not([data-local])')) {
      const date = new Date(time.getAttribute('datetime'));
      if (Number.isNaN(date.getTime())) continue;
      const format = TIME_ONLY.test(time.textContent.trim()) ? timeOnly : dateTime;
      time.title = time.textContent;
      time.textContent = format.format(date);
      time.dataset.local = '';
    }
  }

  localise();
  // Live updates replace parts of the page: their times are rewritten as they arrive.
  new MutationObserver(localise).observe(document.body, { childList: true, subtree: true });
})();
