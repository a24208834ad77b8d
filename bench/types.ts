// The shape every benchmark module returns, and what bench/run.ts writes to
// bench/results/<name>.json: {"name":"storage","metrics":{"sqlite.list_10k_ms":{"value":12.3,"unit":"ms"}}}.

export interface Metric {
  value: number;
  unit: string;
  /** Acceptance target, when the issue sets one: the value must be ≤ max or ≥ min. */
  target?: { max?: number; min?: number };
}

export interface BenchResult {
  name: string;
  metrics: Record<string, Metric>;
}

/** A benchmark is a module bench/<name>.ts exporting `run`. */
export interface BenchModule {
  run(log: (line: string) => void): Promise<BenchResult>;
}
