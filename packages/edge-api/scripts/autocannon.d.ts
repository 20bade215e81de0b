// The part of autocannon 9's Node API that scripts/load.ts uses (autocannon ships no types, and @types/autocannon
// describes its 7.x API), written from its README and lib/aggregateResult.js.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'PATCH' | 'OPTIONS';
      headers?: Record<string, string>;
      /** sent as it is: a Buffer stays binary */
      body?: string | Buffer;
      connections?: number;
      /** seconds */
      duration?: number;
      /** seconds a request may take before it counts as a timeout (and an error) */
      timeout?: number;
      pipelining?: number;
    }

    /** percentiles and moments of one histogram (latency in ms) */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      url: string;
      connections: number;
      /** seconds the run took */
      duration: number;
      start: Date;
      finish: Date;
      /** connection errors, timeouts included */
      errors: number;
      timeouts: number;
      non2xx: number;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram;
      /** per-second counts; `total` is the requests answered, `sent` those sent */
      requests: Histogram & { sent: number };
      throughput: Histogram;
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }

  /** Without a callback: an instance that is also a promise of the result. */
  function autocannon(options: autocannon.Options): autocannon.Instance;
  export default autocannon;
}
