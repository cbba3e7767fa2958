// The part of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  type Histogram = { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p90: number; p97_5: number; p99: number; total: number };
  export type Result = {
    requests: Histogram; latency: Histogram; throughput: Histogram;
    errors: number; timeouts: number; non2xx: number; duration: number; '2xx': number;
  };
  export type Options = {
    url: string; connections?: number; duration?: number; pipelining?: number;
    headers?: Record<string, string>; requests?: { method?: string; path?: string; headers?: Record<string, string> }[];
  };
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
