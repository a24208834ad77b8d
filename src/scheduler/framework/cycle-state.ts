// Per-pod scratch space for one scheduling attempt: PreFilter computes, Filter/Score read. Values
// that preemption may mutate (when it simulates removing victims) implement `clone`.

export interface StateData {
  clone(): StateData;
}

export class CycleState {
  readonly #data = new Map<string, StateData>();
  /** Plugins whose PreFilter returned Skip: their Filter is not run for this pod. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run for this pod. */
  readonly skipScorePlugins = new Set<string>();

  read<T extends StateData>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.#data.set(key, value);
  }

  delete(key: string): void {
    this.#data.delete(key);
  }

  clone(): CycleState {
    const copy = new CycleState();
    for (const [k, v] of this.#data) copy.#data.set(k, v.clone());
    for (const p of this.skipFilterPlugins) copy.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) copy.skipScorePlugins.add(p);
    return copy;
  }
}

/** State that never changes after PreFilter can share itself instead of copying. */
export class ImmutableState<T> implements StateData {
  readonly value: T;
  constructor(value: T) {
    this.value = value;
  }
  clone(): StateData {
    return this;
  }
}
