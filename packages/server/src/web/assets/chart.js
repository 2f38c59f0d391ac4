// Vigil TS node page: a readout under each chart following the pointer, or the arrow keys once the
// chart has focus, with hourly buckets in the reader's time zone. Without this file each bucket's
// title still gives its values (in UTC).
(() => {
  const lang = document.documentElement.lang || undefined;
  const DAY_MS = 86400000;
  const hourly = new Intl.DateTimeFormat(lang, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  // A daily bucket is a UTC day: its date is the same wherever the reader is.
  const daily = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
  const STEPS = { ArrowLeft: -1, ArrowRight: 1 };

  for (const svg of document.querySelectorAll('svg.detail-chart')) {
    const targets = [...svg.querySelectorAll('.targets rect')];
    const cursor = svg.querySelector('.cursor');
    const readout = svg.closest('figure')?.querySelector('.chart-readout');
    const format = Number(svg.dataset.bucketMs) >= DAY_MS ? daily : hourly;
    if (!cursor || !readout || targets.length === 0) continue;
    let selected = targets.length - 1;

    const show = (index) => {
      const target = targets[index];
      if (!target) return;
      selected = index;
      readout.textContent = `${format.format(new Date(target.dataset.t))}: ${target.dataset.value}`;
      const x = Number(target.getAttribute('x')) + Number(target.getAttribute('width')) / 2;
      cursor.setAttribute('x1', String(x));
      cursor.setAttribute('x2', String(x));
      cursor.setAttribute('visibility', 'visible');
    };

    svg.addEventListener('pointermove', (event) => {
      const index = targets.indexOf(event.target);
      if (index >= 0) show(index);
    });
    svg.addEventListener('focus', () => show(selected));
    svg.addEventListener('keydown', (event) => {
      let next;
      if (event.key in STEPS) next = selected + STEPS[event.key];
      else if (event.key === 'Home') next = 0;
      else if (event.key === 'End') next = targets.length - 1;
      else return;
      event.preventDefault();
      show(Math.min(targets.length - 1, Math.max(0, next)));
    });
  }
})();
