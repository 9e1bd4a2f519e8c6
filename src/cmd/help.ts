export const BERTHD_USAGE = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers that speaks the Docker Engine API.

Options:
      --add-runtime runtime                   Register an additional OCI compatible runtime (default [])
      --bip string                            Specify default-bridge IP
      --cgroup-parent string                  Set parent cgroup for all containers (default "/berth")
      --config-file string                    Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string                      Root directory of persistent berth state (default "/var/lib/berth")
  -D, --debug                                 Enable debug mode
      --default-runtime string                Default OCI runtime for containers (default "crun" where it works, else "runc")
      --default-ulimit ulimit                 Default ulimits for containers (default [])
      --dns list                              DNS server to use
      --exec-root string                      Root directory for execution state files (default "/run/berth")
      --fixed-cidr string                     IPv4 subnet for fixed IPs
  -H, --host list                             Daemon socket(s) to connect to (default unix:///run/berth/berth.sock)
      --icc                                   Enable inter-container communication (default true)
      --init                                  Run an init in the container to forward signals and reap processes
      --ip-forward                            Enable net.ipv4.ip_forward (default true)
      --ip-masq                               Enable IP masquerading (default true)
      --iptables                              Enable firewall rule management (nftables) (default true)
      --label list                            Set key=value labels to the daemon
      --live-restore                          Enable live restore of containers when the daemon is down
      --log-driver string                     Default driver for container logs (default "json-file")
  -l, --log-level string                      Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
      --log-opt map                           Default log driver options for containers (default max-size=10m, max-file=3)
      --no-new-privileges                     Set no-new-privileges by default for new containers
  -p, --pidfile string                        Path to use for daemon PID file (default "/run/berth.pid")
      --seccomp-profile string                Path to seccomp profile. Set to "unconfined" to disable the default seccomp profile (default "builtin")
      --shutdown-timeout int                  Default shutdown timeout in seconds (default 15)
  -s, --storage-driver string                 Storage driver to use (overlay2)
      --tls                                   Use TLS; implied by --tlsverify
      --tlscacert string                      Trust certs signed only by this CA
      --tlscert string                        Path to TLS certificate file
      --tlskey string                         Path to TLS key file
      --tlsverify                             Use TLS and verify the remote
      --userns-remap string                   User/Group setting for user namespaces
      --validate                              Validate daemon configuration and exit
  -v, --version                               Print version information and quit
`;
