import { loadConfig, type ConfigInput, type EnclaveConfig } from '../core/config.ts';
import type { CommandIO, OptionSpec, ParsedArgs } from './command.ts';

/** Flags every command that touches a data directory accepts. */
export const dataOptions: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', description: 'data directory (default ./data, env ENCLAVE_DATA_DIR)', placeholder: 'DIR' },
  config: { type: 'string', description: 'YAML or JSON config file (env ENCLAVE_CONFIG)', placeholder: 'FILE' },
  mode: { type: 'string', description: 'development or production (env ENCLAVE_MODE)', placeholder: 'MODE' },
};

/** Flags of the server itself. */
export const serverOptions: Record<string, OptionSpec> = {
  ...dataOptions,
  host: { type: 'string', description: 'address to listen on (default 127.0.0.1)', placeholder: 'ADDR' },
  port: { type: 'string', description: 'port to listen on (default 8080; 0 picks a free one)', placeholder: 'PORT' },
  'public-url': { type: 'string', description: 'the URL browsers use to reach Enclave', placeholder: 'URL' },
  'trust-proxy': { type: 'string', multiple: true, description: 'address or CIDR of a reverse proxy to trust (repeatable)', placeholder: 'ADDR' },
  'tls-cert': { type: 'string', description: 'PEM certificate chain, to terminate TLS in Enclave', placeholder: 'FILE' },
  'tls-key': { type: 'string', description: 'PEM private key for --tls-cert', placeholder: 'FILE' },
  'log-level': { type: 'string', description: 'fatal, error, warn, info, debug or trace', placeholder: 'LEVEL' },
  'security-contact': { type: 'string', description: 'mailto: or https: URL for security.txt (required in production)', placeholder: 'URL' },
};

function text(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function configFromArgs(args: ParsedArgs, io: CommandIO): EnclaveConfig {
  const trustProxy = args.values['trust-proxy'];
  const flags: Partial<ConfigInput> = {
    dataDir: text(args, 'data-dir'),
    mode: text(args, 'mode') as ConfigInput['mode'],
    host: text(args, 'host'),
    port: text(args, 'port') as unknown as number,
    publicUrl: text(args, 'public-url'),
    trustProxy: Array.isArray(trustProxy) ? trustProxy : undefined,
    tlsCert: text(args, 'tls-cert'),
    tlsKey: text(args, 'tls-key'),
    logLevel: text(args, 'log-level') as ConfigInput['logLevel'],
    securityContact: text(args, 'security-contact'),
  };
  const file = text(args, 'config');
  return loadConfig({ env: io.env, flags, ...(file ? { file } : {}) });
}
