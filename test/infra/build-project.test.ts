import { describe, expect, it } from 'vitest';
import { buildSpecFor } from '../../infra/constructs/build-project.js';

type Spec = {
  env: { shell: string; 'exported-variables'?: string[] };
  phases: Record<string, { commands: string[] }>;
};

describe('buildSpecFor', () => {
  it('returns a build phase that pushes the image after the artifact and exports its digest when build.image is set', () => {
    // Act
    const spec = buildSpecFor('npm run build', true) as Spec;
    // Assert
    expect(Object.keys(spec.phases)).toEqual(['build']);
    const commands = spec.phases.build.commands;
    expect(commands[0]).toBe('npm run build');
    expect(commands[1]).toMatch(/^aws s3 cp /);
    const push = commands.findIndex((c) => c.startsWith('docker push'));
    const exported = commands.findIndex((c) => c.startsWith('export TOLLGATE_IMAGE_DIGEST='));
    expect(commands.findIndex((c) => c.includes('docker login'))).toBeLessThan(push);
    expect(push).toBeGreaterThan(1);
    expect(exported).toBeGreaterThan(push);
    expect(spec.env['exported-variables']).toEqual(['TOLLGATE_IMAGE_DIGEST']);
    expect(spec.env.shell).toBe('bash');
  });

  it('returns no docker command and no exported variable without build.image', () => {
    // Act
    const spec = buildSpecFor('npm run build', false) as Spec;
    // Assert
    expect(spec.phases.build.commands.filter((c) => /docker/.test(c))).toEqual([]);
    expect(spec.env['exported-variables']).toBeUndefined();
  });
});
