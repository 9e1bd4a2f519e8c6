import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ContainerLogs, LogConfig, LogEntry, LogReadOptions, LogTracker } from '../contract.ts';
import { prepareLog, removeLog } from './files.ts';
import { readLog } from './reader.ts';
import { LogRotator, conmonLogSizeMax } from './rotator.ts';

/**
 * ContainerLogs for conmon's k8s-file logs, with json-file rotation semantics: the daemon rotates (rotator.ts)
 * by asking conmon to reopen its log, with the files kept as files.ts describes.
 */
export class K8sFileLogs implements ContainerLogs {
  async prepare(logPath: string, config: LogConfig): Promise<{ logSizeMax: number }> {
    await mkdir(dirname(logPath), { recursive: true });
    await prepareLog(logPath, config.maxSize, config.maxFile, config.compress);
    return { logSizeMax: conmonLogSizeMax(config.maxSize) };
  }

  track(logPath: string, config: LogConfig, reopen: () => Promise<void>): LogTracker {
    if (config.maxSize <= 0) return { close: async () => {} };
    return new LogRotator(logPath, config, reopen);
  }

  read(logPath: string, opts: LogReadOptions): AsyncIterable<LogEntry> {
    return readLog(logPath, opts);
  }

  remove(logPath: string): Promise<void> {
    return removeLog(logPath);
  }
}
