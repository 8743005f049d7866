/** One measured figure. A ratio compares against a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, for example ">= 0.75" or "p99 < 5 ms". */
  target: string;
  pass: boolean;
  notes?: string;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult[]>;
}

export async function timeLoop(seconds: number, body: () => void | Promise<void>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let operations = 0;
  while (performance.now() < end) {
    await body();
    operations++;
  }
  return operations / seconds;
}
