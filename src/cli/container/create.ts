/**
 * docker's createContainer(): cidfile handling, POST /containers/create, and on "No such image" the pull
 * ("Unable to find image 'x:latest' locally" + progress on stderr) followed by a second create.
 */
import { closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { containerCreate } from '../../client/api/containers.ts';
import { imageCreate } from '../../client/api/images.ts';
import type { EngineClient } from '../../client/client.ts';
import { ApiError } from '../../client/errors.ts';
import { familiarString, parseAnyReference, tagNameOnly } from '../../client/reference.ts';
import type { CliContext } from '../context.ts';
import { discard, displayJsonMessages } from '../format/jsonmessage.ts';
import type { ContainerConfig } from '../opts/container-config.ts';
import { createBody } from '../opts/container-config.ts';

export interface CreateOptions {
  name: string;
  platform: string;
  pull: string;
  quiet: boolean;
}

export function validatePullOpt(val: string): void {
  if (!['always', 'missing', 'never', ''].includes(val)) {
    throw new Error(`invalid pull option: '${val}': must be one of "always", "missing" or "never"`);
  }
}

async function pullImage(ctx: CliContext, client: EngineClient, image: string, o: CreateOptions): Promise<void> {
  const res = await imageCreate(client, image, { platform: o.platform || undefined });
  const out = o.quiet ? discard(ctx.err) : ctx.err;
  await displayJsonMessages(res, out);
}

function isLoopbackIp(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1';
}

export async function createContainer(ctx: CliContext, client: EngineClient, cfg: ContainerConfig, o: CreateOptions): Promise<string> {
  const cidPath = String(cfg.HostConfig.ContainerIDFile ?? '');
  let cidFd: number | undefined;
  if (cidPath) {
    if (existsSync(cidPath)) throw new Error(`container ID file found, make sure the other container isn't running or delete ${cidPath}`);
    try {
      cidFd = openSync(cidPath, 'w', 0o666);
    } catch (err) {
      throw new Error(`failed to create the container ID file: ${(err as Error).message}`);
    }
  }
  let written = false;
  try {
    const image = String(cfg.Config.Image);
    const named = parseAnyReference(image);
    const namedRef = 'id' in named ? undefined : tagNameOnly(named);
    if (o.pull === 'always') await pullImage(ctx, client, image, o);
    const [h, w] = ctx.out.size();
    cfg.HostConfig.ConsoleSize = [h, w];
    const platform = o.platform && client.atLeast('1.41') ? o.platform : undefined;
    let resp: Awaited<ReturnType<typeof containerCreate>>;
    try {
      resp = await containerCreate(client, createBody(cfg), { name: o.name, platform });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && namedRef && o.pull === 'missing') {
        if (!o.quiet) ctx.err.write(`Unable to find image '${familiarString(namedRef)}' locally\n`);
        await pullImage(ctx, client, image, o);
        resp = await containerCreate(client, createBody(cfg), { name: o.name, platform });
      } else {
        throw err;
      }
    }
    const warnings = [...(resp.Warnings ?? [])];
    const dns = (cfg.HostConfig.Dns as string[] | undefined) ?? [];
    const loop = dns.find(isLoopbackIp);
    if (loop) warnings.push(`Localhost DNS (${loop}) may fail in containers.`);
    for (const w2 of warnings) ctx.err.write(`WARNING: ${w2}\n`);
    if (cidFd !== undefined) {
      writeSync(cidFd, resp.Id);
      written = true;
    }
    return resp.Id;
  } finally {
    if (cidFd !== undefined) {
      closeSync(cidFd);
      if (!written) {
        try {
          unlinkSync(cidPath);
        } catch {
          // best effort, as docker
        }
      }
    }
  }
}
