import { runKey, type KeyActions } from './keys';

/** Actions that record what they were asked to do. */
function recorder(canDismiss = false): { actions: KeyActions; calls: string[] } {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]): void => {
      calls.push(args.length ? `${name}(${args.map(String).join(',')})` : name);
    };
  const actions: KeyActions = {
    canDismiss: () => canDismiss,
    dismiss: record('dismiss'),
    togglePlaying: record('togglePlaying'),
    toggleHandleMode: record('toggleHandleMode'),
    removeLastHandle: record('removeLastHandle'),
    toggleImages: record('toggleImages'),
    resetView: record('resetView'),
    stepLayer: record('stepLayer'),
    stepEpoch: record('stepEpoch'),
    toggleGuided: record('toggleGuided'),
    toggleDepth: record('toggleDepth'),
    toggleFps: record('toggleFps'),
    setCentre: record('setCentre'),
    toggleHelp: record('toggleHelp'),
  };
  return { actions, calls };
}

describe('tour keys', () => {
  test.each([
    [' ', 'togglePlaying'],
    ['p', 'togglePlaying'],
    ['d', 'toggleHandleMode'],
    ['x', 'removeLastHandle'],
    ['i', 'toggleImages'],
    ['r', 'resetView'],
    ['j', 'stepLayer(1)'],
    ['ArrowRight', 'stepLayer(1)'],
    ['k', 'stepLayer(-1)'],
    ['ArrowLeft', 'stepLayer(-1)'],
    [']', 'stepEpoch(1)'],
    ['[', 'stepEpoch(-1)'],
    ['g', 'toggleGuided'],
    ['z', 'toggleDepth'],
    ['f', 'toggleFps'],
    ['0', 'setCentre(null)'],
    ['1', 'setCentre(0)'],
    ['9', 'setCentre(8)'],
    ['?', 'toggleHelp'],
  ])('%j does %s and is consumed', (key, call) => {
    const { actions, calls } = recorder();
    expect(runKey(key, actions)).toBe(true);
    expect(calls).toEqual([call]);
  });

  test('Escape is ours only with something to dismiss', () => {
    const idle = recorder(false);
    expect(runKey('Escape', idle.actions)).toBe(false);
    expect(idle.calls).toEqual([]);
    const busy = recorder(true);
    expect(runKey('Escape', busy.actions)).toBe(true);
    expect(busy.calls).toEqual(['dismiss']);
  });

  test('other keys go on to Jupyter', () => {
    const { actions, calls } = recorder();
    for (const key of ['a', 'Enter', 'ArrowUp', 'Tab']) expect(runKey(key, actions)).toBe(false);
    expect(calls).toEqual([]);
  });
});
