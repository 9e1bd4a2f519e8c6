/** dockerd's runconfig errors for networking options, word for word. */
export const ERR_CONFLICT_SHARED_NETWORK = 'container sharing network namespace with another container or host cannot be connected to any other network';
export const ERR_CONFLICT_HOST_NETWORK = 'container cannot be disconnected from host network or connected to host network';
export const ERR_CONFLICT_NO_NETWORK = 'container cannot be connected to multiple networks with one of the networks in private (none) mode';
export const ERR_CONFLICT_NETWORK_AND_DNS = 'conflicting options: dns and the network mode';
export const ERR_CONFLICT_NETWORK_HOSTS = 'conflicting options: custom host-to-IP mapping and the network mode';
export const ERR_CONFLICT_NETWORK_PUBLISH_PORTS = 'conflicting options: port publishing and the container type network mode';
export const ERR_CONFLICT_CONTAINER_NETWORK_AND_MAC = 'conflicting options: mac-address and the network mode';
export const ERR_UNSUPPORTED_NETWORK_AND_IP = 'user specified IP address is supported on user defined networks only';
export const ERR_UNSUPPORTED_NETWORK_NO_SUBNET_AND_IP = 'user specified IP address is supported only when connecting to networks with user configured subnets';
export const ERR_UNSUPPORTED_NETWORK_AND_ALIAS = 'network-scoped alias is supported only for containers in user defined networks';
export const WARN_HOST_PORTS_DISCARDED = 'Published ports are discarded when using host network mode';
export const ERR_CONFLICT_HOST_NETWORK_AND_LINKS = "conflicting options: host type networking can't be used with links. This would result in undefined behavior";
export const ERR_CONFLICT_CONTAINER_NETWORK_AND_LINKS = "conflicting options: container type network can't be used with links. This would result in undefined behavior";
