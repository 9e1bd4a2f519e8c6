import { ForbiddenError, InvalidArgumentError } from '../../../common/errors.ts';
import { isIPv4 } from '../../../domain/net/ipv4.ts';
import type { NetworkInfo } from '../contract.ts';

/** The bridge driver's options (docker network create -o …), with dockerd's names. */
export const BRIDGE_NAME = 'com.docker.network.bridge.name';
export const ENABLE_IP_MASQUERADE = 'com.docker.network.bridge.enable_ip_masquerade';
export const ENABLE_ICC = 'com.docker.network.bridge.enable_icc';
export const HOST_BINDING_IPV4 = 'com.docker.network.bridge.host_binding_ipv4';
export const DEFAULT_BRIDGE = 'com.docker.network.bridge.default_bridge';
export const DRIVER_MTU = 'com.docker.network.driver.mtu';

/** Name of a network's Linux bridge: the option, else "br-" + 12 hex digits of the id (as dockerd). */
export function bridgeNameOf(net: Pick<NetworkInfo, 'id' | 'options'>): string {
  return net.options[BRIDGE_NAME] || `br-${net.id.slice(0, 12)}`;
}

export function mtuOf(net: Pick<NetworkInfo, 'options'>): number {
  const v = net.options[DRIVER_MTU];
  return v ? Number(v) : 1500;
}

function boolOpt(net: Pick<NetworkInfo, 'options'>, key: string, dflt: boolean): boolean {
  const v = net.options[key];
  if (v === undefined || v === '') return dflt;
  return v === 'true' || v === '1';
}

export function masqueradeOf(net: Pick<NetworkInfo, 'options'>): boolean {
  return boolOpt(net, ENABLE_IP_MASQUERADE, true);
}

/** Inter-container communication inside the network (`enable_icc`, default true). */
export function iccOf(net: Pick<NetworkInfo, 'options'>): boolean {
  return boolOpt(net, ENABLE_ICC, true);
}

/** Default host address of published ports on this network ("0.0.0.0" unless host_binding_ipv4 is set). */
export function hostBindingOf(net: Pick<NetworkInfo, 'options'>, dflt = '0.0.0.0'): string {
  return net.options[HOST_BINDING_IPV4] || dflt;
}

const IFNAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/;

/** Validates the bridge options of a network about to be created. */
export function checkBridgeOptions(net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string> {
  const o = net.options;
  const name = bridgeNameOf(net);
  if (!IFNAME_RE.test(name)) throw new InvalidArgumentError(`invalid bridge name ${JSON.stringify(name)}: at most 15 letters, digits, '_', '.' or '-'`);
  const clash = existing.find((n) => bridgeNameOf(n) === name);
  if (clash) throw new ForbiddenError(`cannot create network ${net.id} (${name}): conflicts with network ${clash.id} (${name}): networks have same bridge name`);
  for (const key of [ENABLE_IP_MASQUERADE, ENABLE_ICC, DEFAULT_BRIDGE]) {
    const v = o[key];
    if (v !== undefined && !['true', 'false', '1', '0', ''].includes(v)) {
      throw new InvalidArgumentError(`failed to parse ${key} value: ${v} (strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax)`);
    }
  }
  const mtu = o[DRIVER_MTU];
  if (mtu !== undefined && mtu !== '') {
    if (!/^[+-]?\d+$/.test(mtu)) throw new InvalidArgumentError(`failed to parse ${DRIVER_MTU} value: ${mtu} (strconv.Atoi: parsing ${JSON.stringify(mtu)}: invalid syntax)`);
    const n = Number(mtu);
    if (n < 68 || n > 65535) throw new InvalidArgumentError(`invalid MTU number: ${mtu}`);
  }
  const hb = o[HOST_BINDING_IPV4];
  if (hb !== undefined && hb !== '' && !isIPv4(hb)) throw new InvalidArgumentError(`failed to parse ${HOST_BINDING_IPV4} value: ${hb} (nil ip)`);
  return { ...o };
}

/** The Options of the predefined "bridge" network, as dockerd shows them (bridge name berth0 by default). */
export function defaultBridgeOptions(o: { name?: string; mtu?: number; ipMasquerade?: boolean; icc?: boolean; hostBindingIpv4?: string } = {}): Record<string, string> {
  return {
    [DEFAULT_BRIDGE]: 'true',
    [ENABLE_ICC]: String(o.icc ?? true),
    [ENABLE_IP_MASQUERADE]: String(o.ipMasquerade ?? true),
    [HOST_BINDING_IPV4]: o.hostBindingIpv4 ?? '0.0.0.0',
    [BRIDGE_NAME]: o.name ?? 'berth0',
    [DRIVER_MTU]: String(o.mtu ?? 1500),
  };
}
