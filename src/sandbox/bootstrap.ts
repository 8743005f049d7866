/**
 * The only JavaScript the host evaluates in a step's context before the step's code: the
 * async function constructor (to compile the code as a function body, so it cannot close
 * the wrapper early) and a function that describes a thrown value without throwing. Kept
 * this small on purpose: QuickJS compiles at about 6 KB per millisecond and this runs on
 * every cold start. Everything else (console, http) is built through the host API.
 */
export const PRELUDE = `[(async function () {}).constructor, (e) => { try { return e instanceof Error ? String(e.name) + ': ' + String(e.message) : 'uncaught ' + String(e) } catch { return 'an unprintable exception' } }]`;
