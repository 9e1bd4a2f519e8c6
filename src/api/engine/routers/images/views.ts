import { type ImageConfig, ZERO_TIME } from '../../../../domain/image/config.ts';
import type { ImageDetails, ImageListItem } from '../../../../services/images/image-service.ts';
import { createdSeconds } from '../../../../services/images/list.ts';

/** An image config in the container.Config shape Docker's inspect prints (all legacy fields present). */
export function fullConfig(c: ImageConfig | undefined): Record<string, unknown> {
  const cfg = c ?? {};
  const out: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: cfg.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  if (cfg.ExposedPorts && Object.keys(cfg.ExposedPorts).length) out.ExposedPorts = cfg.ExposedPorts;
  out.Tty = false;
  out.OpenStdin = false;
  out.StdinOnce = false;
  out.Env = cfg.Env ?? null;
  out.Cmd = cfg.Cmd ?? null;
  if (cfg.Healthcheck) out.Healthcheck = cfg.Healthcheck;
  if (cfg.ArgsEscaped) out.ArgsEscaped = true;
  out.Image = '';
  out.Volumes = cfg.Volumes ?? null;
  out.WorkingDir = cfg.WorkingDir ?? '';
  out.Entrypoint = cfg.Entrypoint ?? null;
  out.OnBuild = cfg.OnBuild ?? null;
  out.Labels = cfg.Labels ?? null;
  if (cfg.StopSignal) out.StopSignal = cfg.StopSignal;
  if (cfg.Shell?.length) out.Shell = cfg.Shell;
  return out;
}

/** One entry of GET /images/json, with the version gates (<1.43 "<none>" placeholders, <1.44 VirtualSize). */
export function listEntryView(i: ImageListItem, version: number): Record<string, unknown> {
  let repoTags: string[] | null = i.repoTags.length ? i.repoTags : null;
  let repoDigests: string[] | null = i.repoDigests.length ? i.repoDigests : null;
  if (version < 1.43) {
    if (!repoTags && !repoDigests) {
      repoTags = ['<none>:<none>'];
      repoDigests = ['<none>@<none>'];
    }
  } else {
    repoTags ??= [];
    repoDigests ??= [];
  }
  const out: Record<string, unknown> = {
    Containers: -1,
    Created: Math.floor(createdSeconds(i.record)),
    Id: i.record.id,
    Labels: i.record.config.config?.Labels ?? null,
    ParentId: i.record.parent ?? '',
    RepoDigests: repoDigests,
    RepoTags: repoTags,
    SharedSize: -1,
    Size: i.size,
  };
  if (version < 1.44) out.VirtualSize = i.size;
  return out;
}

const EMPTY_CONTAINER_CONFIG = fullConfig(undefined);

/** GET /images/{name}/json */
export function inspectView(d: ImageDetails, version: number): Record<string, unknown> {
  const c = d.record.config;
  const out: Record<string, unknown> = {
    Id: d.record.id,
    RepoTags: d.repoTags,
    RepoDigests: d.repoDigests,
    Parent: d.record.parent ?? '',
    Comment: c.comment ?? '',
  };
  if (c.created || version < 1.44) out.Created = c.created ?? ZERO_TIME;
  if (version < 1.45) {
    out.Container = c.container ?? '';
    out.ContainerConfig = c.container_config ? { ...EMPTY_CONTAINER_CONFIG, ...c.container_config } : EMPTY_CONTAINER_CONFIG;
  }
  out.DockerVersion = c.docker_version ?? '';
  out.Author = c.author ?? '';
  out.Config = fullConfig(c.config);
  out.Architecture = c.architecture;
  if (c.variant) out.Variant = c.variant;
  out.Os = c.os;
  if (c['os.version']) out.OsVersion = c['os.version'];
  out.Size = d.size;
  if (version < 1.44) out.VirtualSize = d.size;
  out.GraphDriver = d.graphDriver;
  out.RootFS = { Type: 'layers', Layers: d.diffIds };
  out.Metadata = { LastTagTime: d.record.lastTagTime ?? ZERO_TIME };
  return out;
}
