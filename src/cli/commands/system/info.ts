/** `berth info`: client section, then the daemon's /info printed as docker's prettyPrintInfo does. */
import { systemInfo } from '../../../client/api/system.ts';
import { CLIENT_VERSION } from '../../../client/client.ts';
import { ConnectionError } from '../../../client/errors.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { CliContext } from '../../context.ts';
import { StatusError } from '../../errors.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { parse } from '../../format/template.ts';
import { bytesSize } from '../../format/units.ts';

type Info = Record<string, any>;

const GO_FIELD_NAMES: [string, string][] = [
  ['HTTPProxy', 'HttpProxy'],
  ['HTTPSProxy', 'HttpsProxy'],
  ['CPUCfsPeriod', 'CpuCfsPeriod'],
  ['CPUCfsQuota', 'CpuCfsQuota'],
  ['BridgeNfIP6tables', 'BridgeNfIp6tables'],
];

function ln(out: string[], ...parts: unknown[]): void {
  out.push(parts.map((p) => (p === undefined || p === null ? '' : String(p))).join(' '));
}

function nonEmpty(out: string[], label: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') out.push(`${label} ${value}`);
}

function serverLines(info: Info, errLines: string[]): string[] {
  const o: string[] = [];
  ln(o, ' Containers:', info.Containers ?? 0);
  ln(o, '  Running:', info.ContainersRunning ?? 0);
  ln(o, '  Paused:', info.ContainersPaused ?? 0);
  ln(o, '  Stopped:', info.ContainersStopped ?? 0);
  ln(o, ' Images:', info.Images ?? 0);
  nonEmpty(o, ' Server Version:', info.ServerVersion);
  nonEmpty(o, ' Storage Driver:', info.Driver);
  for (const pair of info.DriverStatus ?? []) o.push(`  ${pair[0]}: ${pair[1]}`);
  for (const pair of info.SystemStatus ?? []) o.push(` ${pair[0]}: ${pair[1]}`);
  nonEmpty(o, ' Logging Driver:', info.LoggingDriver);
  nonEmpty(o, ' Cgroup Driver:', info.CgroupDriver);
  nonEmpty(o, ' Cgroup Version:', info.CgroupVersion);
  ln(o, ' Plugins:');
  ln(o, '  Volume:', (info.Plugins?.Volume ?? []).join(' '));
  ln(o, '  Network:', (info.Plugins?.Network ?? []).join(' '));
  if ((info.Plugins?.Authorization ?? []).length) ln(o, '  Authorization:', info.Plugins.Authorization.join(' '));
  ln(o, '  Log:', (info.Plugins?.Log ?? []).join(' '));
  if ((info.CDISpecDirs ?? []).length) {
    ln(o, ' CDI spec directories:');
    for (const d of info.CDISpecDirs) o.push(`  ${d}`);
  }
  const swarm = info.Swarm ?? {};
  ln(o, ' Swarm:', swarm.LocalNodeState ?? '');
  if (swarm.LocalNodeState && swarm.LocalNodeState !== 'inactive' && swarm.LocalNodeState !== 'locked') {
    ln(o, '  NodeID:', swarm.NodeID);
    if (swarm.Error) ln(o, '  Error:', swarm.Error);
    ln(o, '  Is Manager:', !!swarm.ControlAvailable);
    ln(o, '  Node Address:', swarm.NodeAddr);
  }
  const runtimes = Object.keys(info.Runtimes ?? {}).sort();
  if (runtimes.length) {
    ln(o, ' Runtimes:', runtimes.join(' '));
    ln(o, ' Default Runtime:', info.DefaultRuntime);
  }
  if (info.OSType === 'linux') {
    ln(o, ' Init Binary:', info.InitBinary ?? '');
    ln(o, ' containerd version:', info.ContainerdCommit?.ID ?? '');
    ln(o, ' runc version:', info.RuncCommit?.ID ?? '');
    ln(o, ' init version:', info.InitCommit?.ID ?? '');
    const sec: string[] = info.SecurityOptions ?? [];
    if (sec.length) {
      ln(o, ' Security Options:');
      for (const so of sec) {
        const fields = so.split(',');
        const kv = Object.fromEntries(fields.map((f) => [f.split('=')[0], f.split('=').slice(1).join('=')]));
        if (!('name' in kv)) {
          errLines.push(`invalid security option ${JSON.stringify(so)}`);
          continue;
        }
        o.push(`  ${kv.name}`);
        if (kv.profile !== undefined) ln(o, '   Profile:', kv.profile);
      }
    }
  }
  if (info.OSType === 'windows') ln(o, ' Default Isolation:', info.Isolation);
  nonEmpty(o, ' Kernel Version:', info.KernelVersion);
  nonEmpty(o, ' Operating System:', info.OperatingSystem);
  nonEmpty(o, ' OSType:', info.OSType);
  nonEmpty(o, ' Architecture:', info.Architecture);
  ln(o, ' CPUs:', info.NCPU ?? 0);
  ln(o, ' Total Memory:', bytesSize(info.MemTotal ?? 0));
  nonEmpty(o, ' Name:', info.Name);
  nonEmpty(o, ' ID:', info.ID);
  ln(o, ' Docker Root Dir:', info.DockerRootDir ?? '');
  ln(o, ' Debug Mode:', !!info.Debug);
  if (info.Debug) {
    ln(o, '  File Descriptors:', info.NFd);
    ln(o, '  Goroutines:', info.NGoroutines);
    ln(o, '  System Time:', info.SystemTime);
    ln(o, '  EventsListeners:', info.NEventsListener);
  }
  nonEmpty(o, ' HTTP Proxy:', info.HttpProxy);
  nonEmpty(o, ' HTTPS Proxy:', info.HttpsProxy);
  nonEmpty(o, ' No Proxy:', info.NoProxy);
  if ((info.Labels ?? []).length) {
    ln(o, ' Labels:');
    for (const l of info.Labels) o.push(`  ${l}`);
  }
  ln(o, ' Experimental:', !!info.ExperimentalBuild);
  const reg = info.RegistryConfig;
  const indexConfigs = reg?.IndexConfigs ? Object.values(reg.IndexConfigs as Record<string, { Name: string; Secure: boolean }>) : [];
  if (reg && ((reg.InsecureRegistryCIDRs ?? []).length || indexConfigs.length)) {
    ln(o, ' Insecure Registries:');
    for (const ic of indexConfigs) if (!ic.Secure) o.push(`  ${ic.Name}`);
    for (const cidr of reg.InsecureRegistryCIDRs ?? []) o.push(`  ${cidr}`);
  }
  if ((reg?.Mirrors ?? []).length) {
    ln(o, ' Registry Mirrors:');
    for (const m of reg.Mirrors) o.push(`  ${m}`);
  }
  ln(o, ' Live Restore Enabled:', !!info.LiveRestoreEnabled);
  if (info.ProductLicense) ln(o, ' Product License:', info.ProductLicense);
  if ((info.DefaultAddressPools ?? []).length) {
    ln(o, ' Default Address Pools:');
    for (const p of info.DefaultAddressPools) o.push(`   Base: ${p.Base}, Size: ${p.Size}`);
  }
  o.push('');
  return o;
}

async function fetchInfo(ctx: CliContext, format: string): Promise<{ info: Info | null; connErr?: unknown; serverErrors: string[] }> {
  const client = await ctx.client();
  try {
    return { info: await systemInfo(client), serverErrors: [] };
  } catch (err) {
    if (!(err instanceof ConnectionError)) {
      if (format !== '') ctx.err.write(`${(err as Error).message}\n`);
      return { info: format === '' ? null : {}, serverErrors: [(err as Error).message] };
    }
    return { info: format === '' ? null : {}, connErr: err, serverErrors: [] };
  }
}

export default defineCommand<{ format: string }>({
  usage: '[OPTIONS]',
  short: 'Display system-wide information',
  aliases: '{bin} system info, {bin} info',
  args: noArgs,
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f')],
  async run(ctx, o) {
    const clientInfo = { Version: CLIENT_VERSION, Context: ctx.contextName(), Debug: false, Plugins: [] as unknown[], Warnings: null };
    if (o.format === '') {
      const { info, connErr, serverErrors } = await fetchInfo(ctx, '');
      const out: string[] = ['Client:', ` Version:    ${CLIENT_VERSION}`, ` Context:    ${ctx.contextName()}`, ' Debug Mode: false', '', 'Server:'];
      const errLines = [...serverErrors];
      if (info) out.push(...serverLines(info, errLines));
      ctx.out.write(`${out.join('\n')}\n`);
      for (const w of info?.Warnings ?? []) ctx.err.write(`${w}\n`);
      for (const e of errLines) ctx.err.write(`ERROR: ${e}\n`);
      const errs: string[] = [];
      if (errLines.length) errs.push('errors pretty printing info');
      if (connErr) errs.push((connErr as Error).message);
      if (errs.length) throw new StatusError(errs.join('\n'), 1);
      return;
    }
    const format = o.format === 'json' ? '{{json .}}' : o.format;
    let tmpl: ReturnType<typeof parse>;
    try {
      tmpl = parse(format);
    } catch (err) {
      throw new StatusError(`template parsing error: ${(err as Error).message}`, 64);
    }
    const { info, connErr, serverErrors } = await fetchInfo(ctx, format);
    const data: Record<string, unknown> = { ...(info ?? {}) };
    // Go field names of system.Info whose JSON names differ: templates use the former, {{json .}} the latter
    for (const [goName, jsonName] of GO_FIELD_NAMES) {
      if (jsonName in data) Object.defineProperty(data, goName, { value: data[jsonName], enumerable: false });
    }
    if (serverErrors.length) data.ServerErrors = serverErrors;
    data.ClientInfo = clientInfo;
    let text = '';
    let tmplErr: unknown;
    try {
      text = tmpl.execute(data);
    } catch (err) {
      tmplErr = err;
    }
    ctx.out.write(`${text}\n`);
    const errs = [connErr, tmplErr].filter(Boolean).map((e) => (e as Error).message);
    if (errs.length) throw new StatusError(errs.join('\n'), 1);
  },
});
