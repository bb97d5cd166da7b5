/**
 * Must be imported before elkjs inside the worker.
 *
 * elkjs' GWT layouter checks `typeof document === 'undefined' && typeof self
 * !== 'undefined'` to decide that it *is* a web worker; it then takes over
 * `self.onmessage` with its own protocol and exports nothing, so
 * `new ELK()` from elk.bundled.js fails inside a worker ("_Worker is not a
 * constructor"). Declaring an empty `document` in this worker's own global
 * makes it export its in-process worker instead, and our typed protocol keeps
 * the worker's message channel. Nothing else in the layouter reads `document`.
 */
const g = self as unknown as { document?: unknown };
if (typeof g.document === 'undefined') {
  g.document = {};
}

export {};
