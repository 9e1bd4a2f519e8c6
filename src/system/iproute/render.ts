import type { IpCmd } from './port.ts';

/** One `ip -batch` line for a command (pure; unit-tested). */
export function renderIpCmd(c: IpCmd): string {
  switch (c.op) {
    case 'bridge-add':
      return ['link add name', c.name, c.mac ? `address ${c.mac}` : '', c.mtu ? `mtu ${c.mtu}` : '', 'type bridge'].filter(Boolean).join(' ');
    case 'veth-add':
      return [
        'link add name',
        c.name,
        c.mtu ? `mtu ${c.mtu}` : '',
        'type veth peer name',
        c.peer,
        c.mtu ? `mtu ${c.mtu}` : '',
        c.peerNetnsPid !== undefined ? `netns ${c.peerNetnsPid}` : '',
      ]
        .filter(Boolean)
        .join(' ');
    case 'macvlan-add':
      return ['link add link', c.parent, 'name', c.name, c.mtu ? `mtu ${c.mtu}` : '', c.netnsPid !== undefined ? `netns ${c.netnsPid}` : '', `type macvlan mode ${c.mode}`]
        .filter(Boolean)
        .join(' ');
    case 'vlan-add':
      return `link add link ${c.parent} name ${c.name} type vlan id ${c.id}`;
    case 'dummy-add':
      return `link add name ${c.name} type dummy`;
    case 'link-set':
      return [
        'link set dev',
        c.dev,
        c.name ? `name ${c.name}` : '',
        c.mac ? `address ${c.mac}` : '',
        c.mtu ? `mtu ${c.mtu}` : '',
        c.master ? `master ${c.master}` : '',
        c.up === true ? 'up' : c.up === false ? 'down' : '',
      ]
        .filter(Boolean)
        .join(' ');
    case 'bridge-port':
      return `link set dev ${c.dev} type bridge_slave hairpin ${c.hairpin ? 'on' : 'off'}`;
    case 'link-del':
      return `link del dev ${c.dev}`;
    case 'addr-add':
      return ['addr add', c.cidr, c.broadcast ? `broadcast ${c.broadcast}` : '', 'dev', c.dev, c.nodad ? 'nodad' : ''].filter(Boolean).join(' ');
    case 'addr-del':
      return `addr del ${c.cidr} dev ${c.dev}`;
    case 'route-add':
      return ['route add', c.dst, c.via ? `via ${c.via}` : '', c.dev ? `dev ${c.dev}` : ''].filter(Boolean).join(' ');
  }
}

export function renderBatch(cmds: readonly IpCmd[]): string {
  return cmds.map((c) => renderIpCmd(c) + '\n').join('');
}
