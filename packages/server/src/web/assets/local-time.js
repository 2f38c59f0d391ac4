// Vigil TS pages: times are written in UTC by the server; this shows them in the reader's time
// zone, keeping the UTC text as the element's title. Without this file they stay in UTC.
(() => {
  const lang = document.documentElement.lang || undefined;
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
  const timeOnly = new Intl.DateTimeFormat(lang, { timeStyle: 'medium' });
  const zone = new Intl.DateTimeFormat(lang, { timeZoneName: 'short' });
  /** The server writes a time alone (no date) when the day is clear from what precedes it. */
  const TIME_ONLY = /^\d\d:\d\d/;

  function localise() {
    for (const time of document.querySelectorAll('time[datetime]:not([data-local])')) {
      const date = new Date(time.getAttribute('datetime'));
      if (Number.isNaN(date.getTime())) continue;
      const format = TIME_ONLY.test(time.textContent.trim()) ? timeOnly : dateTime;
      const zoneName = zone.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value;
      time.title = time.textContent;
      time.textContent = zoneName ? `${format.format(date)} ${zoneName}` : format.format(date);
      time.dataset.local = '';
    }
  }

  localise();
  // Live updates replace parts of the page: their times are rewritten as they arrive.
  new MutationObserver(localise).observe(document.body, { childList: true, subtree: true });
})();
