import { NoWiringDriver } from '../no-wiring.ts';

/**
 * The `null` driver (network "none"): the container gets its own namespace with only its loopback interface,
 * which the controller brings up as it does for every new namespace.
 */
export class NullDriver extends NoWiringDriver {
  constructor() {
    super('null', 'new');
  }
}
