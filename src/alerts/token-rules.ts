import type { Actor } from '../access/actor.ts';
import { networkOf } from './network.ts';
import type { SeenNetworks } from './seen-networks.ts';
import { WindowCounter } from './window-counter.ts';

/** A workspace's bearer credentials: API keys, agents, SCIM tokens and MCP tokens (personal or OAuth-granted). */
export type BearerActor = Extract<Actor, { type: 'api_key' | 'agent' | 'scim_token' | 'mcp_client' }>;

export function isBearerActor(actor: Actor | null | undefined): actor is BearerActor {
  return actor?.type === 'api_key' || actor?.type === 'agent' || actor?.type === 'scim_token' || actor?.type === 'mcp_client';
}

export type RaiseAlert = (rule: string, subject: string, workspaceId: string, summary: string, details: Record<string, unknown>) => void;

export interface TokenRulesDeps {
  seen: SeenNetworks;
  windowSeconds: number;
  requestsPerTokenPerWindow: number;
  raise: RaiseAlert;
}

/**
 * LOG-06: the rules over every request a bearer credential makes, each raising an alert for
 * the credential's workspace:
 * - token_new_network: the credential is used from a network (/24, /48) it was never used
 *   from; the first network it is ever seen from is its baseline and raises nothing;
 * - token_request_rate: it makes more requests in the window than the threshold; once per
 *   window, and a quiet credential is not counted, so its count never outgrows the threshold.
 */
export class TokenRules {
  readonly #deps: TokenRulesDeps;
  readonly #requests: WindowCounter;
  readonly #quiet: WindowCounter;

  constructor(deps: TokenRulesDeps) {
    this.#deps = deps;
    this.#requests = new WindowCounter(deps.windowSeconds);
    this.#quiet = new WindowCounter(deps.windowSeconds);
  }

  observe(actor: BearerActor, ip: string | undefined, now: Date): void {
    const credential = `${actor.type}:${actor.id}`;
    this.#newNetwork(credential, actor.workspaceId, ip, now);
    this.#rate(credential, actor.workspaceId, now.getTime());
  }

  #newNetwork(credential: string, workspaceId: string, ip: string | undefined, now: Date): void {
    const network = networkOf(ip);
    if (network === undefined) return;
    if (this.#deps.seen.sighting(credential, workspaceId, network, now) !== 'new') return;
    this.#deps.raise('token_new_network', credential, workspaceId, 'A token was used from a new network', { credential, network });
  }

  #rate(credential: string, workspaceId: string, now: number): void {
    if (this.#quiet.count(credential, now) > 0) return;
    const count = this.#requests.hit(credential, now);
    if (count <= this.#deps.requestsPerTokenPerWindow) return;
    this.#requests.reset(credential);
    this.#quiet.hit(credential, now);
    this.#deps.raise('token_request_rate', credential, workspaceId, 'Abnormal request rate for one token', {
      credential,
      count,
      windowSeconds: this.#deps.windowSeconds,
    });
  }
}
