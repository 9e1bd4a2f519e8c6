/** `berth restart` */
import { containerRestart } from '../../../client/api/containers.ts';
import { stopCommand } from '../../container/stop-command.ts';

export default stopCommand({ short: 'Restart one or more containers', aliases: '{bin} container restart, {bin} restart', sequential: true, call: containerRestart });
