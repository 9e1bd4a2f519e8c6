/** `berth context create` */
import { defineCommand, exactArgs } from '../../command.ts';
import { endpointFromFlag, endpointOfContext, parseStringToString } from '../../contexts/endpoint.ts';
import { ContextStore, DEFAULT_CONTEXT, validateContextName } from '../../contexts/store.ts';
import { customFlag, stringFlag } from '../../flags/spec.ts';

const LONG = `Create a context

Docker endpoint config:

NAME                DESCRIPTION
from                Copy named context's Docker endpoint configuration
host                Docker endpoint on which to connect
ca                  Trust certs signed only by this CA
cert                Path to TLS certificate file
key                 Path to TLS key file
skip-tls-verify     Skip TLS certificate validation

Example:

$ berth context create my-context --description "some description" --docker "host=tcp://myserver:2376,ca=~/ca-file,cert=~/cert-file,key=~/key-file"`;

export default defineCommand<{ description: string; docker: Record<string, string>; from: string }>({
  usage: '[OPTIONS] CONTEXT',
  short: 'Create a context',
  long: LONG,
  args: exactArgs(1),
  flags: [
    stringFlag('description', 'Description of the context'),
    customFlag<Record<string, string>>('docker', 'set the docker endpoint', 'stringToString', {}, parseStringToString, { defText: '[]' }),
    stringFlag('from', 'create context from a named context'),
  ],
  async run(ctx, o, args, info) {
    const name = args[0]!;
    validateContextName(name);
    const store = new ContextStore(ctx.configDir);
    if (store.exists(name)) throw new Error(`context "${name}" already exists`);
    const defaultHost = () => ctx.defaultHostUrl();
    let ep: Awaited<ReturnType<typeof endpointFromFlag>>;
    let description = o.description;
    if (info.changed.has('docker')) {
      ep = await endpointFromFlag(o.docker, store, ctx.env, defaultHost);
    } else {
      // --from, or a copy of the context in use
      const from = o.from || ctx.contextName();
      ep = await endpointOfContext(store, from, defaultHost);
      if (!info.changed.has('description') && from !== DEFAULT_CONTEXT) description = store.get(from).Metadata?.Description ?? '';
    }
    store.create({ Name: name, Metadata: description ? { Description: description } : {}, Endpoints: { docker: ep.endpoint } }, ep.tls);
    ctx.out.write(`${name}\n`);
    ctx.err.write(`Successfully created context "${name}"\n`);
  },
});
