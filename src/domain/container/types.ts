import type { EndpointSettings, PortMap } from '../../services/networks/contract.ts';
import type { HealthState } from './health.ts';
import type { MountPointRecord } from './mounts.ts';

/** Docker's container Config (create body top level), the fields berth reads. Unknown fields are kept as given. */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts: Record<string, object> | null;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: Record<string, unknown>;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  MacAddress?: string;
  NetworkDisabled?: boolean;
  [k: string]: unknown;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

export interface HostConfig {
  Binds: string[] | null;
  ContainerIDFile: string;
  LogConfig: { Type: string; Config: Record<string, string> };
  NetworkMode: string;
  PortBindings: PortMap;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  VolumeDriver: string;
  VolumesFrom: string[] | null;
  ConsoleSize: [number, number];
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  CgroupnsMode: string;
  Dns: string[];
  DnsOptions: string[];
  DnsSearch: string[];
  ExtraHosts: string[] | null;
  GroupAdd: string[] | null;
  IpcMode: string;
  Cgroup: string;
  Links: string[] | null;
  OomScoreAdj: number;
  PidMode: string;
  Privileged: boolean;
  PublishAllPorts: boolean;
  ReadonlyRootfs: boolean;
  SecurityOpt: string[] | null;
  UTSMode: string;
  UsernsMode: string;
  ShmSize: number;
  Runtime: string;
  Init: boolean | null;
  Memory: number;
  NanoCpus: number;
  CpuShares: number;
  CpuPeriod: number;
  CpuQuota: number;
  PidsLimit: number | null;
  Ulimits: { Name: string; Soft: number; Hard: number }[] | null;
  Tmpfs?: Record<string, string>;
  Mounts?: unknown[];
  [k: string]: unknown;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Present once a container with a health check has started (dockerd keeps it after the exit). */
  Health?: HealthState;
}

export interface NetworkSettings {
  Ports: PortMap;
  Networks: Record<string, EndpointSettings>;
  SandboxKey: string;
  SandboxID?: string;
}

export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** What berth persists per container (config.v2.json). */
export interface ContainerRecord {
  Id: string;
  /** With the leading slash, as Docker. */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig: HostConfig;
  /** "sha256:…" */
  Image: string;
  State: ContainerState;
  RestartCount: number;
  NetworkSettings: NetworkSettings;
  /** Legacy (unused): the Mounts view is rendered from MountPoints. */
  Mounts: MountPoint[];
  /** Mount points by destination: volumes, binds and `--mount type=tmpfs` (dockerd's MountPoints). */
  MountPoints?: Record<string, MountPointRecord>;
  /** The OCI cgroupsPath of the last start ("/berth/<id>"). */
  CgroupsPath?: string;
  /** The runtime name (crun, runc, or from daemon runtimes). */
  RuntimeName: string;
  /** Set by an explicit stop/kill (unless-stopped; and so `always` does not restart a stopped one). */
  ManuallyStopped: boolean;
  HasBeenStartedBefore: boolean;
  /** NetworkingConfig.EndpointsConfig as given at create, updated by network connect/disconnect. */
  EndpointsConfig?: Record<string, Partial<EndpointSettings>>;
  /**
   * Disconnected from its NetworkMode network (network disconnect): that network is not joined at the next start,
   * as dockerd (which starts a container on NetworkSettings.Networks, not on HostConfig.NetworkMode).
   */
  ModeNetworkDisconnected?: boolean;
  /** The id of the NetworkMode network (a user-defined one) at create. */
  ModeNetworkId?: string;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialState(): ContainerState {
  return {
    Status: 'created',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: ZERO_TIME,
    FinishedAt: ZERO_TIME,
  };
}
