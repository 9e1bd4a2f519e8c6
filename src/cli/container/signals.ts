/** --sig-proxy: signals the CLI receives are forwarded to the container as POST /containers/{id}/kill?signal=NAME. */
import { constants } from 'node:os';

/** Signals Node lets us catch (SIGKILL/SIGSTOP can't be; SIGCHLD, SIGPIPE and SIGURG are never forwarded). */
const FORWARDED: NodeJS.Signals[] = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGTERM',
  'SIGUSR1',
  'SIGUSR2',
  'SIGALRM',
  'SIGCONT',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGWINCH',
  'SIGVTALRM',
  'SIGPROF',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGPWR',
];

export function signalNumber(name: string): number | undefined {
  return (constants.signals as Record<string, number>)[name];
}

/** Starts forwarding; returns the function that stops it. */
export function forwardAllSignals(kill: (signal: string) => Promise<unknown>): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of FORWARDED) {
    const h = () => {
      void kill(sig.slice(3)).catch(() => {});
    };
    try {
      process.on(sig, h);
      handlers.set(sig, h);
    } catch {
      // not supported on this platform
    }
  }
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
