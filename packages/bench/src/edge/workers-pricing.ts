/**
 * Cloudflare Workers' published limits and prices, as read on {@link WORKERS_PRICES_READ} from
 * https://developers.cloudflare.com/workers/platform/pricing/ and https://developers.cloudflare.com/workers/platform/limits/
 * (Standard usage model, the only one the Paid plan offers). Prices change: the report prints the date beside them.
 */
export const WORKERS_PRICES_READ = '2026-12-02';
export const WORKERS_PRICING_URL = 'https://developers.cloudflare.com/workers/platform/pricing/';
export const WORKERS_LIMITS_URL = 'https://developers.cloudflare.com/workers/platform/limits/';

export const WORKERS_PLANS = {
  free: {
    /** CPU time per invocation; cannot be raised */
    cpuMsPerRequest: 10,
    requestsPerDay: 100_000,
  },
  paid: {
    monthlyMinimumUsd: 5,
    includedRequestsPerMonth: 10_000_000,
    usdPerMillionRequests: 0.3,
    includedCpuMsPerMonth: 30_000_000,
    usdPerMillionCpuMs: 0.02,
    /** default CPU limit per invocation; `limits.cpu_ms` raises it to 5 minutes */
    defaultCpuMsPerRequest: 30_000,
    maxCpuMsPerRequest: 300_000,
  },
} as const;

export type WorkersPlan = 'free' | 'paid' | 'paid, with limits.cpu_ms raised' | 'none';

/** The cheapest plan whose per-request CPU limit a Worker using `cpuMs` per request fits. */
export function planFor(cpuMs: number): WorkersPlan {
  if (cpuMs <= WORKERS_PLANS.free.cpuMsPerRequest) return 'free';
  if (cpuMs <= WORKERS_PLANS.paid.defaultCpuMsPerRequest) return 'paid';
  if (cpuMs <= WORKERS_PLANS.paid.maxCpuMsPerRequest) return 'paid, with limits.cpu_ms raised';
  return 'none';
}

/**
 * What a million requests cost on Workers Paid beyond its included usage: the request charge plus the CPU
 * charge for `cpuMs` each. (The $5 monthly minimum and the included 10 M requests / 30 M CPU ms come first.)
 */
export function paidUsdPerMillionRequests(cpuMs: number): number {
  const p = WORKERS_PLANS.paid;
  return p.usdPerMillionRequests + cpuMs * p.usdPerMillionCpuMs;
}

/**
 * A month of `requests` on Workers Paid at `cpuMs` each: the minimum charge, then requests and CPU beyond what is
 * included (the pricing page's own worked example: 15 M requests at 7 ms = $8.00).
 */
export function paidMonthlyUsd(requests: number, cpuMs: number): number {
  const p = WORKERS_PLANS.paid;
  const requestUsd = (Math.max(0, requests - p.includedRequestsPerMonth) / 1e6) * p.usdPerMillionRequests;
  const cpuUsd = (Math.max(0, requests * cpuMs - p.includedCpuMsPerMonth) / 1e6) * p.usdPerMillionCpuMs;
  return p.monthlyMinimumUsd + requestUsd + cpuUsd;
}

/** One sentence for the report: plan, and the cost per million requests where it is paid for. */
export function workersCostSentence(cpuMs: number): string {
  const plan = planFor(cpuMs);
  const perMillion = `$${paidUsdPerMillionRequests(cpuMs).toFixed(2)} per million requests on Workers Paid beyond its included usage`;
  switch (plan) {
    case 'free': {
      const { cpuMsPerRequest, requestsPerDay } = WORKERS_PLANS.free;
      const daily = `${requestsPerDay.toLocaleString('en-US')} requests a day at no charge`;
      return `fits the Free plan (${cpuMsPerRequest} ms CPU per request, ${daily}); ${perMillion}`;
    }
    case 'paid': {
      const minimum = `the $${WORKERS_PLANS.paid.monthlyMinimumUsd} monthly minimum`;
      return `needs Workers Paid (over the Free plan's ${WORKERS_PLANS.free.cpuMsPerRequest} ms CPU per request): ${perMillion}, after ${minimum}`;
    }
    case 'paid, with limits.cpu_ms raised':
      return `needs Workers Paid with limits.cpu_ms raised above its default ${WORKERS_PLANS.paid.defaultCpuMsPerRequest / 1000} s: ${perMillion}`;
    default:
      return `over every plan's CPU limit per request (${WORKERS_PLANS.paid.maxCpuMsPerRequest / 60_000} minutes)`;
  }
}
