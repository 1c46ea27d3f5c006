import { describe, expect, it } from 'vitest';
import { IdAliases } from '../support/rehearsal/id-aliases.js';

const CONFIG_RULE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/orders/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';

function aliases() {
  const a = new IdAliases(new Set(['elasticloadbalancing', 'monitoring']));
  a.add('50dc6c495c0c9188', 'aaaaaaaaaaaaaaaa');
  a.add('9683b2d02a6cabee', 'bbbbbbbbbbbbbbbb');
  return a;
}

describe('IdAliases', () => {
  it("rewrites the config's ids to moto's in a form-encoded ELB body and back in the XML answer", () => {
    // Arrange
    const a = aliases();
    const body = Buffer.from(new URLSearchParams({ Action: 'ModifyRule', RuleArn: CONFIG_RULE }).toString());
    // Act
    const toMoto = a.toMoto('elasticloadbalancing', body).toString();
    const back = a.fromMoto(
      'elasticloadbalancing',
      Buffer.from(`<RuleArn>${a.motoOf(CONFIG_RULE)}</RuleArn>`),
    );
    // Assert
    expect(new URLSearchParams(toMoto).get('RuleArn')).toBe(
      CONFIG_RULE.replace('50dc6c495c0c9188', 'aaaaaaaaaaaaaaaa').replace(
        '9683b2d02a6cabee',
        'bbbbbbbbbbbbbbbb',
      ),
    );
    expect(toMoto.length).toBe(body.length);
    expect(back.toString()).toBe(`<RuleArn>${CONFIG_RULE}</RuleArn>`);
  });

  it('leaves the bodies of other services as they are', () => {
    // Arrange
    const a = aliases();
    const body = Buffer.from(JSON.stringify({ note: CONFIG_RULE }));
    // Act
    const out = a.toMoto('ecs', body);
    // Assert
    expect(out).toBe(body);
  });

  it('refuses an alias of another length, which would break the Content-Length', () => {
    // Arrange
    const a = aliases();
    // Act
    const add = () => a.add('73e2d6bc24d8a067', 'abc');
    // Assert
    expect(add).toThrow('id aliases: "73e2d6bc24d8a067" and "abc" differ in length');
  });
});
