export const STATUSES = [
  'execution.queued',
  'execution.start',
  'execution.failed',
  'execution.success',
  'execution.paused',
  'execution.stopped',
  'execution.requeued',
] as const;

export type Status = (typeof STATUSES)[number];

export const TERMINAL: ReadonlySet<Status> = new Set(['execution.success', 'execution.failed', 'execution.stopped']);

/** Contract section 7: the moves each status allows. */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  'execution.queued': ['execution.start', 'execution.paused', 'execution.stopped'],
  'execution.paused': ['execution.queued', 'execution.start', 'execution.stopped'],
  'execution.start': ['execution.success', 'execution.failed', 'execution.stopped', 'execution.paused', 'execution.requeued'],
  'execution.requeued': ['execution.queued', 'execution.start', 'execution.paused', 'execution.stopped'],
  'execution.failed': ['execution.requeued'],
  'execution.success': [],
  'execution.stopped': [],
};
