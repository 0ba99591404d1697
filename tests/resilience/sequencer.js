// Files in name order, with the log audit last: it reads what every other file's services wrote.
const Sequencer = require("@jest/test-sequencer").default;

const LAST = "logs.test.ts";

class ResilienceSequencer extends Sequencer {
  sort(tests) {
    const rank = (t) => (t.path.endsWith(LAST) ? 1 : 0);
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = ResilienceSequencer;
