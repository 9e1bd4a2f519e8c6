/** `berth stop` */
import { containerStop } from '../../../client/api/containers.ts';
import { stopCommand } from '../../container/stop-command.ts';

export default stopCommand({ short: 'Stop one or more running containers', aliases: '{bin} container stop, {bin} stop', sequential: false, call: containerStop });
