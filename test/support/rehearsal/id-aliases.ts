/**
 * The config names its listener rule and target groups by ARN, written before the resources exist
 * (a user creates the ALB, then writes its ARNs into deploy.canary, then synthesizes). moto draws
 * its own random ids when the rehearsal creates them, after the synth. So the proxy maps the
 * config's ids to moto's on the way in and back on the way out, for the services that carry them
 * (ELBv2 ARNs, CloudWatch's LoadBalancer/TargetGroup dimensions). The IAM check sees the call as the
 * function signed it, with the config's ARNs, which is what the template's grants name.
 *
 * Ids are replaced only by ids of the same length, so a body's Content-Length stays right.
 */
export class IdAliases {
  private readonly pairs: Array<{ config: string; moto: string }> = [];

  constructor(private readonly services: ReadonlySet<string>) {}

  add(configId: string, motoId: string): void {
    if (configId.length !== motoId.length)
      throw new Error(`id aliases: "${configId}" and "${motoId}" differ in length`);
    if (configId !== motoId) this.pairs.push({ config: configId, moto: motoId });
  }

  /** The config's ARN or dimension value as moto knows it. */
  motoOf(text: string): string {
    return this.pairs.reduce((t, p) => t.replaceAll(p.config, p.moto), text);
  }

  toMoto(service: string, body: Buffer): Buffer {
    return this.rewrite(service, body, (p) => [p.config, p.moto]);
  }

  fromMoto(service: string, body: Buffer): Buffer {
    return this.rewrite(service, body, (p) => [p.moto, p.config]);
  }

  private rewrite(
    service: string,
    body: Buffer,
    direction: (p: { config: string; moto: string }) => [string, string],
  ): Buffer {
    if (!this.services.has(service) || this.pairs.length === 0) return body;
    const text = body.toString('latin1');
    const out = this.pairs.reduce((t, p) => {
      const [from, to] = direction(p);
      return t.replaceAll(from, to);
    }, text);
    return out === text ? body : Buffer.from(out, 'latin1');
  }
}
