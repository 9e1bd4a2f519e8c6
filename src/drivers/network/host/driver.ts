import { NoWiringDriver } from '../no-wiring.ts';

/** The `host` driver: containers use the daemon's network namespace; nothing to wire, nothing to publish. */
export class HostDriver extends NoWiringDriver {
  constructor() {
    super('host', 'host');
  }
}
