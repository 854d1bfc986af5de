/** The balancer drivers by platform (F5 and NetScaler are generation only: no driver). */
import type { Site } from '../../../shared/site/schema.js';
import { LinuxHaproxyDriver } from './linux-haproxy.js';
import { LoadbalancerOrgDriver } from './loadbalancer-org.js';
import type { BalancerDriver } from './types.js';

export type { BalancerDriver, DriverContext, DriverPlan, NodeOutcome, RemoteHost } from './types.js';
export { LinuxHaproxyDriver } from './linux-haproxy.js';
export { LoadbalancerOrgDriver } from './loadbalancer-org.js';

export type DriverPlatform = BalancerDriver['platform'];

export function defaultDrivers(): Record<DriverPlatform, BalancerDriver> {
  return { 'linux-haproxy': new LinuxHaproxyDriver(), 'loadbalancer-org': new LoadbalancerOrgDriver() };
}

/** The driver for a site's platform, or undefined for platforms PrintHA only generates files for. */
export function driverFor(platform: Site['balancer']['platform'], drivers: Partial<Record<string, BalancerDriver>> = defaultDrivers()): BalancerDriver | undefined {
  return drivers[platform];
}
