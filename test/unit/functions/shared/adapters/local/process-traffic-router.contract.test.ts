import { ProcessTrafficRouter } from '../../../../../../functions/shared/adapters/local/process-traffic-router.js';
import { describeTrafficRouterContract } from '../../ports/traffic-router.contract.js';
import { canaryWorld } from './canary-world.js';

describeTrafficRouterContract('ProcessTrafficRouter (real processes behind the proxy)', async () => {
  const w = await canaryWorld();
  const deployer = w.make();
  return {
    router: new ProcessTrafficRouter(deployer),
    deployer,
    pipeline: 'orders-service',
    environment: 'prod',
    releases: { baseline: await w.release('r1-aaaaaaa'), canary: await w.release('r2-bbbbbbb') },
    advance: () => new Promise((done) => setTimeout(done, 50)),
    close: async () => {
      await deployer.close();
      await w.cleanup();
    },
  };
});
