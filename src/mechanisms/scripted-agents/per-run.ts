/**
 * State the policies of one run share (a run-wide index), made at the first
 * policy's request and found by something every policy of the run is given:
 * its population.
 */
export function perRun<T>(make: () => T): (run: object) => T {
  const states = new WeakMap<object, T>();
  return (run) => {
    let state = states.get(run);
    if (state === undefined) states.set(run, (state = make()));
    return state;
  };
}
