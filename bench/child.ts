import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * The machine has two cores: servers run on core 0 and load generators on
 * core 1, so that neither steals the other's CPU (issue 5 measured the same way).
 */
export const SERVER_CORE = '0';
export const LOAD_CORE = '1';

export interface Child {
  proc: ChildProcess;
  /** Group 1 of the `ready` pattern's first match on stdout. */
  ready: string;
  /** All stdout up to that match. */
  output: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((p) => p.kill('SIGKILL')));

/** How node is launched: `NAME=VALUE` settings of its environment, and its flags. */
export interface Launch {
  env: readonly string[];
  flags: readonly string[];
}

/** node (launched so) and tsx, pinned to a core (env and taskset exec, so the pid is node's). */
export function nodeArgs(core: string, script: string, args: readonly string[], launch: Launch = { env: [], flags: [] }): [string, string[]] {
  return ['env', [...launch.env, 'taskset', '-c', core, process.execPath, ...launch.flags, '--import', 'tsx', script, ...args]];
}

/** Starts a long-running process and waits until it prints a line matching `ready`. */
export async function startChild(command: [string, string[]], ready: RegExp, timeoutMs = 60_000): Promise<Child> {
  const proc = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const found = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command[1].join(' ')}: not ready after ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    proc.stdout!.on('data', (d) => {
      stdout += d;
      const m = ready.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command[1].join(' ')} exited with ${code} before it was ready\n${stdout}${stderr}`));
    });
  });
  return {
    proc,
    ready: found,
    output: stdout,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = once(proc, 'exit');
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 6000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(proc);
    },
  };
}

/** Runs a process to its end; rejects with its stderr on a non-zero exit. */
export async function runChild(command: [string, string[]]): Promise<{ stdout: string; stderr: string }> {
  const proc = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const [code] = await once(proc, 'exit');
  live.delete(proc);
  if (code !== 0) throw new Error(`${command[1].join(' ')} exited with ${code}\n${stderr}`);
  return { stdout, stderr };
}
