/**
 * WEB-06: the ALTCHA widget, in the build that works under the dashboard's strict CSP.
 * The default build injects a <style> element and starts its workers from blob: URLs,
 * both of which `style-src 'self'` and `script-src 'self'` refuse; `altcha/external`
 * leaves both out. Its stylesheet is bundled into the dashboard's CSS file by Vite, and
 * the SHA worker becomes a file of its own under /assets/, a same-origin script.
 */
import 'altcha/external';
// The package's declaration of the `$altcha` global; its JSX typing is in altcha-widget.d.ts.
import type {} from 'altcha/types/global';
import 'altcha/altcha.css';
import ShaWorker from 'altcha/workers/sha?worker';

// The server's challenges are SHA-256 (src/proof-of-work/service.ts): the only worker needed.
$altcha.algorithms.set('SHA-256', () => new ShaWorker());

/** Where the widget fetches its challenge. */
export const CHALLENGE_URL = '/api/auth/challenge';
