import { describe, expect, it } from 'vitest';
import { ScramExchange, scramVerifier } from '../../../../../../functions/shared/adapters/local/pg-scram.js';

// RFC 7677 section 3: user "user", password "pencil".
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const NONCE = `rOprNGfwEbeRWgbNEkqO${SERVER_NONCE}`;
const CLIENT_FINAL = `c=biws,r=${NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;

describe('ScramExchange', () => {
  const exchange = () => new ScramExchange(scramVerifier('pencil', SALT, 4096), SERVER_NONCE);

  it('answers the RFC 7677 exchange with its server-first and server-final messages', () => {
    // Arrange
    const scram = exchange();
    // Act
    const first = scram.serverFirst(CLIENT_FIRST);
    const final = scram.serverFinal(CLIENT_FINAL);
    // Assert
    expect(first).toBe(`r=${NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`);
    expect(final).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('refuses a proof made with another password', () => {
    // Arrange
    const scram = new ScramExchange(scramVerifier('pencil2', SALT, 4096), SERVER_NONCE);
    scram.serverFirst(CLIENT_FIRST);
    // Act
    const final = scram.serverFinal(CLIENT_FINAL);
    // Assert
    expect(final).toBeUndefined();
  });

  it.each([
    ['a changed nonce', CLIENT_FINAL.replace('r=rOpr', 'r=XOpr')],
    ['channel binding the client did not announce', CLIENT_FINAL.replace('c=biws', 'c=eSws')],
    ['a truncated proof', CLIENT_FINAL.slice(0, -8)],
    ['no proof', `c=biws,r=${NONCE}`],
  ])('refuses a client-final message with %s', (_, clientFinal) => {
    // Arrange
    const scram = exchange();
    scram.serverFirst(CLIENT_FIRST);
    // Act / Assert
    expect(scram.serverFinal(clientFinal)).toBeUndefined();
  });

  it.each([
    ['a channel-binding request (needs TLS)', 'p=tls-server-end-point,,n=user,r=abc'],
    ['no nonce', 'n,,n=user'],
    ['no gs2 header', 'n=user,r=abc'],
  ])('refuses a client-first message with %s', (_, clientFirst) => {
    // Act / Assert
    expect(exchange().serverFirst(clientFirst)).toBeUndefined();
  });

  it('refuses a client-final message before any client-first', () => {
    // Act / Assert
    expect(exchange().serverFinal(CLIENT_FINAL)).toBeUndefined();
  });
});
