import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type HistoryServer, startHistoryServer } from './history-fixture.js';

/** English texts of the page; none may show on a French one. */
const ENGLISH = [
  'All systems report as healthy',
  'Looks like everything is operating normally.',
  'please contact our support.',
  'Contact support',
  'This replica reports as',
  'Checked via a',
  'This status page is powered by',
  'Past incidents',
  'uptime, 90 days',
  'replicas affected',
  'Last 24 hours',
  'Response time',
  'of data',
  'No data',
  ': no data',
  'no sick or dead time',
  'sick or dead on',
  'p95 up to',
  'days)',
  'Latency:',
];

describe('[branding] language = "fr"', () => {
  let server: HistoryServer;

  before(async () => {
    server = await startHistoryServer({
      configure: (config) => {
        config.branding.language = 'fr';
      },
    });
  });
  after(() => server?.close());

  test('the status page speaks French, history and incidents included', async () => {
    const html = await server.page();
    assert.match(html, /<html lang="fr" /);
    for (const text of [
      'Tous les systèmes sont opérationnels',
      'Tout semble fonctionner normalement.',
      'contactez notre support.',
      'Contacter le support',
      'Cette réplique est opérationnelle.',
      'Vérifiée par une sonde active (HTTP, SSH, TCP ou ICMP).',
      'aria-label="Répliques de API"',
      'de disponibilité, 90 jours',
      'Incidents passés',
      '<span>Latence: 28ms</span>',
      'aria-label="API, 90 derniers jours : 100.00% disponible ; ralenti ou hors service sur 1 jour : 2026-03-02 ralenti 1 h; aucune donnée sur 81 jours"',
      '<title>2026-03-05: aucune donnée</title>',
      'Latence de API, dernières 24 h : p95 jusqu’à',
      'Cette page de statut fonctionne avec Vigil TS.',
    ])
      assert.ok(html.includes(text), text);
    for (const text of ENGLISH) assert.ok(!html.includes(text), text);
  });

  test('so does the node page, its durations and its axis dates', async () => {
    const html = await (await fetch(`${server.url}/node/data/db/?period=7d`)).text();
    assert.match(html, /<html lang="fr" /);
    for (const text of [
      '<a href="?period=7d" aria-current="page">7 derniers jours</a>',
      '<h2 id="uptime-title">Disponibilité</h2>',
      'de disponibilité sur 5 j 11 h de données',
      '<h2 id="latency-title">Temps de réponse</h2>',
      '>10 mars<',
      'Tous les services',
    ])
      assert.ok(html.includes(text), text);
    for (const text of ENGLISH) assert.ok(!html.includes(text), text);
  });

  test("the embed banner's message follows the language", async () => {
    const status = await server.api<{ message: string }>('/embed/status');
    assert.equal(status.message, 'Tous les systèmes sont opérationnels');
  });
});
