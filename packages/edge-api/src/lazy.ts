import type { EdgeClassifier } from './classifier.ts';

export type ClassifierState = 'cold' | 'loading' | 'ready' | 'failed';

/** Where the app gets its classifier: ready at once, or loaded on first use. */
export interface ClassifierSource {
  get(): Promise<EdgeClassifier>;
  readonly state: ClassifierState;
  /** the last initialisation error, while state is `failed` */
  readonly error: Error | null;
}

export function readyClassifier(classifier: EdgeClassifier): ClassifierSource {
  return { get: async () => classifier, state: 'ready', error: null };
}

/**
 * Loads once per isolate, on first use: requests that arrive while it loads await the same promise, so
 * concurrent first requests share one initialisation. A failed load is remembered for `/health` and retried by
 * the next request (a transient failure must not poison the isolate for its lifetime).
 */
export function lazyClassifier(load: () => Promise<EdgeClassifier>): ClassifierSource {
  let pending: Promise<EdgeClassifier> | null = null;
  let state: ClassifierState = 'cold';
  let error: Error | null = null;
  return {
    get state() {
      return state;
    },
    get error() {
      return error;
    },
    get() {
      if (pending) return pending;
      state = 'loading';
      const attempt = load().then(
        (classifier) => {
          state = 'ready';
          error = null;
          return classifier;
        },
        (e: unknown) => {
          state = 'failed';
          error = e instanceof Error ? e : new Error(String(e));
          if (pending === attempt) pending = null;
          throw error;
        },
      );
      pending = attempt;
      return attempt;
    },
  };
}
