/** One of the two thread counts a multithreaded engine gets a row for: one thread, and every core. */
export interface ThreadCount {
  /** the end of the row's id: `-1t`, or `-all` (the catalog drops `-all` rows on one core) */
  readonly suffix: '1t' | 'all';
  readonly threads: number;
  /** the end of the row's label: "1 thread", "N threads" */
  readonly count: string;
}

export const oneAndAllCores = (cores: number): readonly ThreadCount[] => [
  { suffix: '1t', threads: 1, count: '1 thread' },
  { suffix: 'all', threads: cores, count: `${cores} threads` },
];
