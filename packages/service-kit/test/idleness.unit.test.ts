import { Idleness } from "../src";

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

test("quiet for the whole period: idle, told once; a request wakes it and the period starts again", () => {
  const idleness = new Idleness(60_000);
  const changes: boolean[] = [];
  idleness.onChange((idle) => changes.push(idle));

  jest.advanceTimersByTime(59_999);
  expect(idleness.isIdle()).toBe(false);
  jest.advanceTimersByTime(1);
  expect(idleness.isIdle()).toBe(true);
  expect(idleness.state()).toEqual({ idle: true, since: new Date(1_060_000).toISOString() });

  idleness.touch();
  expect(idleness.isIdle()).toBe(false);
  jest.advanceTimersByTime(59_999);
  expect(idleness.isIdle()).toBe(false);
  jest.advanceTimersByTime(1);
  expect(idleness.isIdle()).toBe(true);
  expect(changes).toEqual([true, false, true]);
  idleness.stop();
});

test("each request moves the end of the quiet period; requests while awake tell nobody", () => {
  const idleness = new Idleness(10_000);
  const changes: boolean[] = [];
  idleness.onChange((idle) => changes.push(idle));
  for (let i = 0; i < 5; i++) {
    jest.advanceTimersByTime(9_000);
    idleness.touch();
  }
  expect(idleness.isIdle()).toBe(false);
  expect(changes).toEqual([]);
  jest.advanceTimersByTime(10_000);
  expect(changes).toEqual([true]);
  idleness.stop();
});

test("0 means never idle, and holds no timer", () => {
  const idleness = new Idleness(0);
  expect(jest.getTimerCount()).toBe(0);
  jest.advanceTimersByTime(86_400_000);
  expect(idleness.isIdle()).toBe(false);
});
