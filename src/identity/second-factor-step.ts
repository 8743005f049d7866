/**
 * Where a sign-in that arrived by navigation (a mailed link, an identity provider's
 * redirect) continues when it still owes its second factor: the dashboard's second step,
 * told which factors it may offer.
 */
export function secondFactorStep(methods: readonly string[]): string {
  return `/sign-in?${new URLSearchParams({ step: 'second-factor', methods: methods.join(',') })}`;
}
