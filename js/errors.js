/**
 * The one error class every creditcast function throws: a stable `code`, a `path` to the
 * offending input field, and a message. `problems` lists every problem found (rate-card
 * validation reports all of them at once); for other errors it holds the one problem.
 */
export class CreditcastError extends Error {
  constructor(code, path, message, problems) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'CreditcastError';
    this.code = code;
    this.path = path;
    this.detail = message;
    this.problems = problems ?? [{ code, path, message }];
  }
}
