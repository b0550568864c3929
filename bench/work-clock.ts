import { postgresCpuSeconds, reapedCpuSeconds } from './cpu.ts';

/** A bulk load's rate, and the CPU it took a run: the whole machine's work, not one process's. */
export interface Work {
  rate: number;
  cpuMicros: number;
}

/** CPU of what a load runs outside the bench process: the commands it starts, and PostgreSQL. */
const outsideCpu = () => reapedCpuSeconds() + postgresCpuSeconds();

/**
 * Times the parts of a bulk load that count, by the wall clock and by CPU.
 * The bench process's own CPU is summed over the timed parts only
 * (process.cpuUsage counts microseconds, so many short parts add up
 * exactly), as the runs are made between them. The CPU outside it is taken
 * once over the whole load: PostgreSQL is idle between the parts, and its
 * WAL writer and checkpointer work for the load. /proc counts in
 * hundredths of a second, too coarse for a part of a few milliseconds.
 */
export class WorkClock {
  private wall = 0;
  private own = 0;
  private readonly outside = outsideCpu();

  async time<T>(work: () => T | Promise<T>): Promise<T> {
    const [wall, own] = [performance.now(), process.cpuUsage()];
    try {
      return await work();
    } finally {
      this.wall += (performance.now() - wall) / 1000;
      const used = process.cpuUsage(own);
      this.own += (used.user + used.system) / 1e6;
    }
  }

  /** runs/s by the wall clock of the timed parts, and CPU µs a run. */
  result(runs: number): Work {
    return { rate: runs / this.wall, cpuMicros: ((this.own + outsideCpu() - this.outside) / runs) * 1e6 };
  }
}
