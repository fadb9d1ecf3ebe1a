import { SingleBar } from 'cli-progress';

/** A progress bar on a terminal; silent when stderr is not a TTY (pipes, CI) or output is JSON. */
export interface Progress {
  update(done: number, total: number, records: number): void;
  stop(): void;
}

export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  enabled: boolean,
  label: string,
): Progress {
  if (!enabled || !stream.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    stream,
    format: `${label} |{bar}| {percentage}% | {records} rows | {eta_formatted} left`,
    hideCursor: true,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(done, total, records) {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { records: 0 });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { records });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
