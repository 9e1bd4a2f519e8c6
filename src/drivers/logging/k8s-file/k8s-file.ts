import { type FSWatcher, watch } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ContainerLogs, LogConfig, LogEntry, LogReadOptions, LogTracker } from '../contract.ts';
import { compressRotated, prepareLog, removeLog, syncLinks, unstage } from './files.ts';
import { readLog } from './reader.ts';

/**
 * ContainerLogs for conmon's k8s-file logs, with json-file rotation semantics (see files.ts for how the
 * `max-file` files are kept while conmon rotates).
 */
export class K8sFileLogs implements ContainerLogs {
  async prepare(logPath: string, config: LogConfig): Promise<{ logSizeMax: number }> {
    await mkdir(dirname(logPath), { recursive: true });
    await prepareLog(logPath, config.maxSize, config.maxFile, config.compress);
    return { logSizeMax: Math.max(config.maxSize, 0) };
  }

  track(logPath: string, config: LogConfig): LogTracker {
    if (config.maxSize <= 0) return { close: async () => {} };
    const base = basename(logPath);
    // one pass at a time; events during a pass ask for one more
    let busy: Promise<void> | undefined;
    let again = false;
    const sync = (): Promise<void> => {
      if (busy) {
        again = true;
        return busy;
      }
      busy = (async () => {
        do {
          again = false;
          await syncLinks(logPath, config.maxFile).catch(() => {});
        } while (again);
        busy = undefined;
        if (config.compress) compressing = compressing.then(() => compressRotated(logPath)).catch(() => {});
      })();
      return busy;
    };
    // compression runs behind the rotation passes, one at a time
    let compressing: Promise<void> = Promise.resolve();
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dirname(logPath), (event, name) => {
        // a new file at "<log>" (conmon renamed "<log>.tmp" over it); writes are 'change' events
        if (event === 'rename' && (name === null || name === base)) void sync();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }
    void sync();
    return {
      close: async () => {
        watcher?.close();
        await sync();
        await compressing;
        await unstage(logPath).catch(() => {});
      },
    };
  }

  read(logPath: string, opts: LogReadOptions): AsyncIterable<LogEntry> {
    return readLog(logPath, opts);
  }

  remove(logPath: string): Promise<void> {
    return removeLog(logPath);
  }
}
