import { postgresCpuSeconds, reapedCpuSeconds } from './cpu.ts';

/** A bulk load's rate, and the CPU it took a run: the bench's, its commands' and PostgreSQL's, not one process's. */
export interface Work {
  rate: number;
  cpuMicros: number;
}

/** CPU of what a load runs outside the bench process: the commands it starts, and PostgreSQL. */
const outsideCpu = (postgres: boolean) => reapedCpuSeconds() + (postgres ? postgresCpuSeconds() : 0);

/**
 * Times the parts of a bulk load that count, by the wall clock and by CPU.
 * The bench process's own CPU is summed over the timed parts only
 * (process.cpuUsage counts microseconds, so many short parts add up
 * exactly), as the runs are made between them. The CPU outside it is read
 * once at each end of the load (/proc counts hundredths of a second, too
 * coarse for a part of a few milliseconds): PostgreSQL is idle between the
 * parts, and what its checkpointer and WAL writer do is the load's work.
 */
export class WorkClock {
  private wall = 0;
  private own = 0;

  private constructor(
    private readonly checkpoint: (() => Promise<void>) | undefined,
    private readonly outsideAtStart: number,
  ) {}

  /**
   * `checkpoint` (PostgreSQL only) writes out every dirty page: at the start,
   * so that none an earlier load left is counted here; at the end, so that
   * this load's are, and not in the next.
   */
  static async start(checkpoint?: () => Promise<void>): Promise<WorkClock> {
    await checkpoint?.();
    return new WorkClock(checkpoint, outsideCpu(checkpoint !== undefined));
  }

  async time<T>(work: () => T | Promise<T>): Promise<T> {
    const [startedAt, cpuBefore] = [performance.now(), process.cpuUsage()];
    try {
      return await work();
    } finally {
      this.wall += (performance.now() - startedAt) / 1000;
      const used = process.cpuUsage(cpuBefore);
      this.own += (used.user + used.system) / 1e6;
    }
  }

  /** runs/s by the wall clock of the timed parts (the final checkpoint not among them), and CPU µs a run. */
  async result(runs: number): Promise<Work> {
    await this.checkpoint?.();
    const outside = outsideCpu(this.checkpoint !== undefined) - this.outsideAtStart;
    return { rate: runs / this.wall, cpuMicros: ((this.own + outside) / runs) * 1e6 };
  }
}
