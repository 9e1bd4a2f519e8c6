/** Exec endpoints. */
import type { EngineClient } from '../client.ts';
import type { Hijacked } from '../http.ts';
import type { ExecInspect } from '../types.ts';

export interface ExecConfig {
  User: string;
  Privileged: boolean;
  Tty: boolean;
  ConsoleSize?: [number, number] | null;
  AttachStdin: boolean;
  AttachStderr: boolean;
  AttachStdout: boolean;
  Detach: boolean;
  DetachKeys: string;
  Env: string[] | null;
  WorkingDir: string;
  Cmd: string[];
}

export function execCreate(c: EngineClient, container: string, cfg: ExecConfig): Promise<{ Id: string }> {
  const body: Record<string, unknown> = {
    User: cfg.User,
    Privileged: cfg.Privileged,
    Tty: cfg.Tty,
  };
  if (c.atLeast('1.42') && cfg.ConsoleSize) body.ConsoleSize = cfg.ConsoleSize;
  Object.assign(body, {
    AttachStdin: cfg.AttachStdin,
    AttachStderr: cfg.AttachStderr,
    AttachStdout: cfg.AttachStdout,
    Detach: cfg.Detach,
    DetachKeys: cfg.DetachKeys,
    Env: cfg.Env,
    WorkingDir: cfg.WorkingDir,
    Cmd: cfg.Cmd,
  });
  return c.json('POST', `/containers/${container}/exec`, { body });
}

function startBody(c: EngineClient, detach: boolean, tty: boolean, consoleSize?: [number, number] | null): Record<string, unknown> {
  const body: Record<string, unknown> = { Detach: detach, Tty: tty };
  if (c.atLeast('1.42') && consoleSize) body.ConsoleSize = consoleSize;
  return body;
}

export function execStartDetached(c: EngineClient, id: string, tty: boolean, consoleSize?: [number, number] | null): Promise<number> {
  return c.call('POST', `/exec/${id}/start`, { body: startBody(c, true, tty, consoleSize) });
}

export function execAttach(c: EngineClient, id: string, tty: boolean, consoleSize?: [number, number] | null): Promise<Hijacked> {
  return c.hijack('POST', `/exec/${id}/start`, { body: startBody(c, false, tty, consoleSize), contentType: 'application/json' });
}

export function execResize(c: EngineClient, id: string, h: number, w: number): Promise<number> {
  return c.call('POST', `/exec/${id}/resize`, { query: { h: String(h), w: String(w) } });
}

export function execInspect(c: EngineClient, id: string): Promise<ExecInspect> {
  return c.json('GET', `/exec/${id}/json`);
}
